// The runner's one error class: a code from the shared list, an HTTP status and a readable
// message. Route handlers throw it; the error handler turns it into `{ code, message }`.
import type { RunnerErrorBody, RunnerErrorCode } from '@boocode/shared/runner/runner-error';

export class RunnerError extends Error {
  override readonly name = 'RunnerError';
  constructor(
    readonly code: RunnerErrorCode,
    message: string,
    readonly status = 400,
    readonly details?: Record<string, unknown>,
  ) {
    super(message);
  }

  toBody(): RunnerErrorBody {
    return this.details
      ? { code: this.code, message: this.message, details: this.details }
      : { code: this.code, message: this.message };
  }
}
