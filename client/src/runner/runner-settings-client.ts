// The runner's settings endpoints as Settings uses them: approval rules, the build check's command, and
// provider API keys (write-only: a page learns whether a key is set, never the key). Every answer is checked
// against the shared schema; every failure is a RunnerSettingsError whose message can be shown as it is.

import { type ConnectionReport, connectionReportSchema } from '@boocode/shared/model/connection-report';
import { type ApprovalRule, approvalRulesSchema } from '@boocode/shared/runner/approval-policy';
import { type BuildCommand, type BuildInfo, buildInfoSchema } from '@boocode/shared/runner/build-check';
import type { RunnerPairing } from '@boocode/shared/runner/pairing';
import {
  type DeleteProviderKeyResponse,
  type DeleteProviderResponse,
  deleteProviderKeyResponseSchema,
  deleteProviderResponseSchema,
  type ProviderEdit,
  type ProviderEditResponse,
  type ProviderStatus,
  providerEditResponseSchema,
  providerListSchema,
} from '@boocode/shared/runner/provider-config';
import { runnerErrorBodySchema } from '@boocode/shared/runner/runner-error';
import type { z } from 'zod';

export type { ProviderStatus };

/** A refusal or failure in words, with the runner's stable code (or one of ours: RUNNER_UNREACHABLE, BAD_RESPONSE). */
export class RunnerSettingsError extends Error {
  override readonly name = 'RunnerSettingsError';
  constructor(
    readonly code: string,
    message: string,
    readonly status?: number,
  ) {
    super(message);
  }
}

export interface RunnerSettingsClient {
  getRules(signal?: AbortSignal): Promise<ApprovalRule[]>;
  /** Replaces the whole list; answers what the runner now holds. */
  putRules(rules: ApprovalRule[]): Promise<ApprovalRule[]>;
  getBuild(signal?: AbortSignal): Promise<BuildInfo>;
  /** null goes back to the command detected from package.json. */
  putBuild(command: BuildCommand | null): Promise<BuildInfo>;
  listProviders(signal?: AbortSignal): Promise<ProviderStatus[]>;
  putProviderKey(providerId: string, apiKey: string): Promise<void>;
  /** Forgets the stored key; `hasKey` in the answer is still true when the runner's environment supplies one. */
  deleteProviderKey(providerId: string): Promise<DeleteProviderKeyResponse>;
  /** Adds or edits one of the user's providers, or moves a local preset; the runner checks the URL in words. */
  putProvider(providerId: string, edit: ProviderEdit): Promise<ProviderEditResponse>;
  /** Removes one of the user's providers (and its key); a preset goes back to the registry's URL. */
  deleteProvider(providerId: string): Promise<DeleteProviderResponse>;
  /** Test connection with the key the runner holds; the report says in words what works. */
  testProvider(providerId: string, model?: string, signal?: AbortSignal): Promise<ConnectionReport>;
}

export function createRunnerSettingsClient(
  pairing: RunnerPairing,
  doFetch: typeof fetch = fetch.bind(globalThis),
): RunnerSettingsClient {
  const base = pairing.runnerUrl.replace(/\/+$/, '');
  const call = async (method: string, path: string, body?: unknown, signal?: AbortSignal): Promise<unknown> => {
    let res: Response;
    try {
      res = await doFetch(`${base}${path}`, {
        method,
        headers: {
          authorization: `Bearer ${pairing.token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal,
      });
    } catch (e) {
      if (signal?.aborted) throw new RunnerSettingsError('cancelled', 'Cancelled.');
      throw new RunnerSettingsError(
        'RUNNER_UNREACHABLE',
        `Could not reach the runner at ${base}. Is it running? (${e instanceof Error ? e.message : String(e)})`,
      );
    }
    const text = await res.text();
    if (!res.ok) throw refusalOf(res.status, text);
    try {
      return text ? (JSON.parse(text) as unknown) : undefined;
    } catch {
      throw badResponse();
    }
  };
  const parsed = async <T extends z.ZodType>(schema: T, pending: Promise<unknown>): Promise<z.infer<T>> => {
    const result = schema.safeParse(await pending);
    if (!result.success) throw badResponse();
    return result.data;
  };
  return {
    getRules: (signal) => parsed(approvalRulesSchema, call('GET', '/approval/rules', undefined, signal).then(rulesOf)),
    putRules: (rules) => parsed(approvalRulesSchema, call('PUT', '/approval/rules', { rules }).then(rulesOf)),
    getBuild: (signal) => parsed(buildInfoSchema, call('GET', '/build', undefined, signal)),
    putBuild: (command) => parsed(buildInfoSchema, call('PUT', '/build', { command })),
    listProviders: async (signal) =>
      (await parsed(providerListSchema, call('GET', '/providers', undefined, signal))).providers,
    async putProviderKey(providerId, apiKey) {
      await call('PUT', `/providers/${encodeURIComponent(providerId)}/key`, { apiKey });
    },
    // `{}`: the runner takes only JSON bodies on DELETE too (its wall refuses any other content type).
    deleteProviderKey: (providerId) =>
      parsed(deleteProviderKeyResponseSchema, call('DELETE', `/providers/${encodeURIComponent(providerId)}/key`, {})),
    putProvider: (providerId, edit) =>
      parsed(providerEditResponseSchema, call('PUT', `/providers/${encodeURIComponent(providerId)}`, edit)),
    deleteProvider: (providerId) =>
      parsed(deleteProviderResponseSchema, call('DELETE', `/providers/${encodeURIComponent(providerId)}`, {})),
    testProvider: (providerId, model, signal) =>
      parsed(
        connectionReportSchema,
        call('POST', `/providers/${encodeURIComponent(providerId)}/test`, model ? { model } : {}, signal),
      ),
  };
}

/** `{ rules }` → the list, for approvalRulesSchema to check (anything else fails it). */
function rulesOf(body: unknown): unknown {
  return typeof body === 'object' && body !== null ? (body as { rules?: unknown }).rules : undefined;
}

function badResponse(): RunnerSettingsError {
  return new RunnerSettingsError(
    'BAD_RESPONSE',
    'The runner answered in a shape this app does not know: update the runner and the app together.',
  );
}

function refusalOf(status: number, text: string): RunnerSettingsError {
  let body: unknown;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    // Not JSON: the status says what failed.
  }
  const error = runnerErrorBodySchema.safeParse(body);
  if (!error.success) return new RunnerSettingsError(`HTTP_${status}`, `The runner answered ${status}.`, status);
  const { code, message } = error.data;
  // The wall's refusals mean this device's pairing is wrong, which the runner's own words do not say.
  if (code === 'UNAUTHORIZED' || code === 'FORBIDDEN_ORIGIN' || code === 'FORBIDDEN_HOST')
    return new RunnerSettingsError(
      code,
      `The runner refused this device (${message}). Pair it again above with the runner's current token.`,
      status,
    );
  return new RunnerSettingsError(code, message, status);
}

/** What to show for any failure from these calls. */
export function runnerSettingsErrorText(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The build command as the user typed it, split into program and arguments. The runner starts it without a
 * shell, so shell syntax would be passed on literally: refused in words instead of failing at the first check.
 */
export function parseBuildCommandText(text: string): BuildCommand | Error {
  const words = text.trim().split(/\s+/).filter(Boolean);
  const [command, ...args] = words;
  if (!command) return new Error('Type a command, or use “Use detected” to go back to package.json.');
  if (/[;&|<>()$`\\'"*?[\]{}~!#]/.test(text))
    return new Error(
      'The build command runs without a shell: quotes, pipes, && and $ do not work. Put it in a package.json script and use npm run <script>.',
    );
  return { script: null, command, args };
}

export function buildCommandText(command: BuildCommand): string {
  return [command.command, ...command.args].join(' ');
}
