// The few web-platform globals the model code needs (present in browsers and Node >= 20), typed minimally
// here because shared/ compiles without DOM or Node types. Reading them through globalThis keeps that honest.
import type { AbortSignalLike } from './model-client.ts';

export interface ResponseLike {
  readonly ok: boolean;
  readonly status: number;
  readonly headers: { get(name: string): string | null; forEach?(fn: (value: string, name: string) => void): void };
  readonly body: { getReader(): StreamReaderLike } | null;
  text(): Promise<string>;
}

export interface StreamReaderLike {
  read(): Promise<{ done: boolean; value?: Uint8Array }>;
  cancel(reason?: unknown): Promise<void>;
}

export interface FetchInitLike {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: unknown;
}

export type FetchLike = (url: string, init: FetchInitLike) => Promise<ResponseLike>;

/** The parts of a WHATWG URL the provider checks read. */
export interface UrlLike {
  readonly href: string;
  readonly protocol: string;
  readonly username: string;
  readonly password: string;
  readonly hostname: string;
  readonly origin: string;
  readonly pathname: string;
  readonly search: string;
  readonly hash: string;
}

interface WebGlobals {
  URL?: new (input: string) => UrlLike;
  fetch?: FetchLike;
  setTimeout?: (fn: () => void, ms: number) => unknown;
  clearTimeout?: (handle: unknown) => void;
  AbortController?: new () => { signal: unknown; abort(reason?: unknown): void };
  TextEncoder?: new () => { encode(s: string): Uint8Array };
  TextDecoder?: new () => { decode(b?: Uint8Array, opts?: { stream?: boolean }): string };
  crypto?: { subtle?: { digest(alg: string, data: Uint8Array): Promise<ArrayBuffer> } };
}

const web = globalThis as unknown as WebGlobals;

function required<T>(value: T | undefined, name: string): T {
  if (value === undefined) throw new Error(`${name} is not available in this runtime`);
  return value;
}

export function globalFetch(): FetchLike {
  const f = required(web.fetch, 'fetch');
  return (url, init) => f(url, init);
}

/**
 * A native AbortSignal that follows `signal`, for handing to fetch: the platform's fetch only fully honours
 * its own signal type, while the engine passes plain signal-like objects.
 */
export function nativeSignal(signal: AbortSignalLike | undefined): unknown {
  if (!signal || !web.AbortController) return undefined;
  const controller = new web.AbortController();
  if (signal.aborted) controller.abort(signal.reason);
  else signal.addEventListener('abort', () => controller.abort(signal.reason), { once: true });
  return controller.signal;
}

/**
 * A native signal for fetch that follows the caller's signal and can also be fired by a time limit: `arm`
 * (re)starts the limit, `fired()` says which limit fired, `callerAborted()` whether the caller cancelled.
 */
export function linkedAbort(caller: AbortSignalLike | undefined) {
  const AC = required(web.AbortController, 'AbortController');
  const controller = new AC();
  let handle: unknown;
  let armed: { ms: number; kind: 'response' | 'idle' } | undefined;
  let fired: 'response' | 'idle' | undefined;
  const onCaller = () => controller.abort(caller?.reason);
  if (caller?.aborted) controller.abort(caller.reason);
  else caller?.addEventListener('abort', onCaller, { once: true });
  const clear = () => {
    if (handle !== undefined) web.clearTimeout?.(handle);
    handle = undefined;
  };
  return {
    signal: controller.signal,
    arm(ms: number, kind: 'response' | 'idle') {
      clear();
      armed = { ms, kind };
      handle = web.setTimeout?.(() => {
        fired = kind;
        controller.abort(new Error(`time limit (${kind})`));
      }, ms);
    },
    fired: () => fired,
    armedMs: () => armed?.ms ?? 0,
    callerAborted: () => caller?.aborted === true,
    dispose() {
      clear();
      caller?.removeEventListener('abort', onCaller);
    },
  };
}

/** The URL, or undefined when `input` is not an absolute URL (never resolved against a page's address). */
export function parseUrl(input: string): UrlLike | undefined {
  try {
    return new (required(web.URL, 'URL'))(input);
  } catch {
    return undefined;
  }
}

export function utf8Encode(s: string): Uint8Array {
  return new (required(web.TextEncoder, 'TextEncoder'))().encode(s);
}

export function utf8Decoder(): { decode(b?: Uint8Array, opts?: { stream?: boolean }): string } {
  return new (required(web.TextDecoder, 'TextDecoder'))();
}

/** SHA-256 hex of a string's UTF-8 bytes, through WebCrypto. */
export async function sha256Hex(s: string): Promise<string> {
  const subtle = required(web.crypto?.subtle, 'crypto.subtle');
  const digest = new Uint8Array(await subtle.digest('SHA-256', utf8Encode(s)));
  let hex = '';
  for (const b of digest) hex += b.toString(16).padStart(2, '0');
  return hex;
}
