// One error class for every way a model call can fail, with a stable code, who refused (the runner, the
// provider, the network, or the user) and a sentence a user can read. `retryable` says whether re-sending the
// same request is safe *before any output was received*.

export type ModelErrorCode =
  // The provider's answers.
  | 'auth'
  | 'rate-limit'
  | 'server'
  | 'bad-request'
  | 'not-found'
  | 'not-openai'
  | 'provider'
  // The stream and the wire.
  | 'stream-cut'
  | 'network'
  | 'timeout'
  // The runner's own refusals (it never reached the provider).
  | 'runner-token'
  | 'runner-origin'
  | 'no-key'
  | 'unknown-provider'
  | 'runner'
  // The user.
  | 'aborted';

/** Who said no: shown with the error so the user fixes the right thing. */
export type ModelErrorSource = 'provider' | 'runner' | 'network' | 'user';

const SOURCE: Record<ModelErrorCode, ModelErrorSource> = {
  auth: 'provider',
  'rate-limit': 'provider',
  server: 'provider',
  'bad-request': 'provider',
  'not-found': 'provider',
  'not-openai': 'provider',
  provider: 'provider',
  'stream-cut': 'network',
  network: 'network',
  timeout: 'network',
  'runner-token': 'runner',
  'runner-origin': 'runner',
  'no-key': 'runner',
  'unknown-provider': 'runner',
  runner: 'runner',
  aborted: 'user',
};

export interface ModelErrorOptions {
  status?: number;
  retryAfterMs?: number;
  /** The provider's request id (`x-request-id`), for a support ticket. */
  requestId?: string;
}

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  readonly status: number | undefined;
  /** From the provider's `retry-after` header, in milliseconds. */
  readonly retryAfterMs: number | undefined;
  readonly requestId: string | undefined;

  constructor(code: ModelErrorCode, message: string, opts: ModelErrorOptions = {}) {
    super(message);
    this.code = code;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
    this.requestId = opts.requestId;
  }

  get by(): ModelErrorSource {
    return SOURCE[this.code];
  }

  get retryable(): boolean {
    return this.code === 'rate-limit' || this.code === 'server' || this.code === 'network';
  }
}

export function isModelError(e: unknown): e is ModelError {
  return e instanceof ModelError;
}

/** Parses `retry-after` (seconds or an HTTP date) into milliseconds from `now`. */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const secs = Number(value);
  if (Number.isFinite(secs)) return Math.max(0, secs * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - now);
}

/** The readable error for an HTTP status from a provider (named by `who`); `detail` is its own message. */
export function modelErrorFromStatus(
  status: number,
  detail: string,
  opts: { retryAfterMs?: number; requestId?: string; who?: string } = {},
): ModelError {
  const who = opts.who ?? 'The provider';
  const suffix = detail ? ` (${detail})` : '';
  const base = { status, requestId: opts.requestId };
  if (status === 401 || status === 403)
    return new ModelError(
      'auth',
      `${who} rejected the API key (HTTP ${status}): check it in Settings → Model${suffix}.`,
      base,
    );
  if (status === 429) {
    const wait = opts.retryAfterMs !== undefined ? ` It asks to wait ${waitWords(opts.retryAfterMs)}.` : '';
    return new ModelError('rate-limit', `${who} is rate-limiting requests (HTTP 429)${suffix}.${wait}`, {
      ...base,
      retryAfterMs: opts.retryAfterMs,
    });
  }
  if (status === 404)
    return new ModelError('not-found', `${who} does not know this model or URL (HTTP 404)${suffix}.`, base);
  if (status >= 500)
    return new ModelError('server', `${who} had a server error (HTTP ${status})${suffix}.`, {
      ...base,
      retryAfterMs: opts.retryAfterMs,
    });
  return new ModelError('bad-request', `${who} refused the request (HTTP ${status})${suffix}.`, base);
}

/** A refusal by the runner itself (its wall or its proxy), from its `{ code, message }` body. */
export function modelErrorFromRunner(status: number, code: string, message: string): ModelError {
  const said = message ? ` (${message})` : '';
  switch (code) {
    case 'UNAUTHORIZED':
      return new ModelError(
        'runner-token',
        `The runner refused this device’s token: pair it again in Settings → Runner${said}.`,
        { status },
      );
    case 'FORBIDDEN_ORIGIN':
    case 'FORBIDDEN_HOST':
      return new ModelError('runner-origin', `The runner refused this page’s address${said}.`, { status });
    case 'NO_API_KEY':
      return new ModelError('no-key', message || 'The runner has no API key for this provider.', { status });
    case 'UNKNOWN_PROVIDER':
      return new ModelError('unknown-provider', message || 'The runner does not know this provider.', { status });
    case 'PROVIDER_UNREACHABLE':
      return new ModelError('network', message || 'The runner could not reach the provider.', { status });
    case 'PROVIDER_TIMEOUT':
      return new ModelError('timeout', message || 'The provider did not answer in time.', { status });
    default:
      return new ModelError('runner', `The runner refused the request (HTTP ${status}, ${code})${said}.`, { status });
  }
}

/** "7 s", "2 min", "1 h 5 min": a wait in words. */
export function waitWords(ms: number): string {
  const s = Math.ceil(ms / 1000);
  if (s < 120) return `${s} s`;
  const min = Math.round(s / 60);
  if (min < 120) return `${min} min`;
  return `${Math.floor(min / 60)} h ${min % 60} min`;
}
