// Errors the runner returns as values: a stable code and a readable message, never a stack.
// Client and runner share this list so the UI can show each one in words.
import { z } from 'zod';

export const runnerErrorCodeSchema = z.enum([
  'UNAUTHORIZED',
  'FORBIDDEN_HOST',
  'FORBIDDEN_ORIGIN',
  'UNSUPPORTED_MEDIA_TYPE',
  'INVALID_REQUEST',
  'NOT_FOUND',
  'PATH_OUTSIDE_WORKSPACE',
  'NOT_A_FILE',
  'NOT_A_DIRECTORY',
  'FILE_TOO_LARGE',
  'MATCH_NOT_FOUND',
  'MATCH_NOT_UNIQUE',
  'INVALID_PATTERN',
  /** grep hit the runner's time limit (a backtracking pattern, or too many files) and was stopped. */
  'GREP_TIMED_OUT',
  'APPROVAL_REQUIRED',
  'DENIED_BY_RULE',
  'COMMAND_FAILED_TO_START',
  'NO_BUILD_COMMAND',
  'UNKNOWN_PROVIDER',
  'NO_API_KEY',
  'INVALID_BASE_URL',
  'PROVIDER_UNREACHABLE',
  'PROVIDER_TIMEOUT',
  'NOT_A_GIT_REPO',
  'WORKTREE_NOT_FOUND',
  'WORKTREE_EXISTS',
  'MERGE_CONFLICT',
  'GIT_FAILED',
  /** The runner would not run git: a config key or an option would make git run a program it names. */
  'GIT_UNSAFE',
  /** A write whose path leads into a control path (.git/, the hooks file) through a symbolic link. */
  'CONTROL_PATH_VIA_LINK',
  'INTERNAL',
]);
export type RunnerErrorCode = z.infer<typeof runnerErrorCodeSchema>;

export const runnerErrorBodySchema = z.object({
  code: runnerErrorCodeSchema,
  message: z.string(),
  /** Extra facts about the refusal, e.g. the approval decision or the number of matches. */
  details: z.record(z.string(), z.unknown()).optional(),
});
export type RunnerErrorBody = z.infer<typeof runnerErrorBodySchema>;

/**
 * Set (to `runner`) on every refusal the runner makes itself, never copied from a provider's answer, so a
 * client tells "the runner said no" (token, origin, no key) from "the provider said no" through the proxy.
 */
export const RUNNER_ERROR_HEADER = 'x-boocode-error-source';
