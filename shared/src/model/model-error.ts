// One error class for every way a model call can fail, with a stable code and a sentence a user can read.
// `retryable` says whether re-sending the same request is safe *before any output was received*.

export type ModelErrorCode =
  | 'auth'
  | 'rate-limit'
  | 'server'
  | 'bad-request'
  | 'not-found'
  | 'stream-cut'
  | 'network'
  | 'aborted'
  | 'provider';

export class ModelError extends Error {
  override readonly name = 'ModelError';
  readonly code: ModelErrorCode;
  readonly status: number | undefined;
  /** From the provider's `retry-after` header, in milliseconds. */
  readonly retryAfterMs: number | undefined;

  constructor(code: ModelErrorCode, message: string, opts: { status?: number; retryAfterMs?: number } = {}) {
    super(message);
    this.code = code;
    this.status = opts.status;
    this.retryAfterMs = opts.retryAfterMs;
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

/** The readable error for an HTTP status from a provider; `detail` is the provider's own message. */
export function modelErrorFromStatus(status: number, detail: string, retryAfterMs?: number): ModelError {
  const suffix = detail ? ` (${detail})` : '';
  if (status === 401 || status === 403)
    return new ModelError('auth', `The provider rejected the API key: check it in settings${suffix}.`, { status });
  if (status === 429) {
    const wait = retryAfterMs !== undefined ? ` Retry after ${Math.ceil(retryAfterMs / 1000)} s.` : '';
    return new ModelError('rate-limit', `The provider is rate-limiting requests.${wait}${suffix}`, {
      status,
      retryAfterMs,
    });
  }
  if (status === 404)
    return new ModelError('not-found', `The provider does not know this model or URL${suffix}.`, { status });
  if (status >= 500)
    return new ModelError('server', `The provider had a server error (HTTP ${status})${suffix}.`, {
      status,
      retryAfterMs,
    });
  return new ModelError('bad-request', `The provider refused the request (HTTP ${status})${suffix}.`, { status });
}
