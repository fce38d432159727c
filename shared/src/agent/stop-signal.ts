// A tiny abort signal the engine can raise itself (AbortController is not in the isomorphic type set).
// It follows an optional parent, so a user's cancel also stops everything the engine started.
import type { AbortSignalLike } from '../model/model-client.ts';

export interface StopSource {
  signal: AbortSignalLike;
  stop(reason?: unknown): void;
}

export function createStopSource(parent?: AbortSignalLike): StopSource {
  const listeners = new Set<() => void>();
  const state = { aborted: false, reason: undefined as unknown };
  const signal: AbortSignalLike = {
    get aborted() {
      return state.aborted;
    },
    get reason() {
      return state.reason;
    },
    addEventListener: (_type, fn) => {
      listeners.add(fn);
    },
    removeEventListener: (_type, fn) => {
      listeners.delete(fn);
    },
  };
  const stop = (reason?: unknown) => {
    if (state.aborted) return;
    state.aborted = true;
    state.reason = reason;
    // Listeners written for DOM signals may use `this` (undici's do): call them as a DOM signal would.
    for (const fn of [...listeners]) fn.call(signal);
    listeners.clear();
  };
  if (parent?.aborted) stop(parent.reason);
  else parent?.addEventListener('abort', () => stop(parent.reason), { once: true });
  return { signal, stop };
}

/**
 * The reason a driver lets go without writing anything more: its page is unloading, or another driver won
 * the lease. What it was doing is left open in the doc for the next driver to resume.
 */
export const ABANDONED = 'abandoned';

export function isAbandoned(signal: AbortSignalLike): boolean {
  return signal.aborted && signal.reason === ABANDONED;
}
