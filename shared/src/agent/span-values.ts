// Small pure helpers for what a span stores: capped text, and errors as `{ code, message }` values.
import type { SpanError } from '../doc/session-schema.ts';
import { isModelError } from '../model/model-error.ts';

export function capText(s: string, max: number): { text: string; truncated: boolean } {
  return s.length > max ? { text: s.slice(0, max), truncated: true } : { text: s, truncated: false };
}

export function errorValue(e: unknown, fallbackCode = 'ERROR'): SpanError {
  if (isModelError(e)) return { code: e.code, message: e.message };
  if (e instanceof Error) return { code: fallbackCode, message: e.message };
  return { code: fallbackCode, message: String(e) };
}

export function parseArguments(raw: string): { ok: true; value: unknown } | { ok: false; message: string } {
  try {
    return { ok: true, value: raw.trim() ? JSON.parse(raw) : {} };
  } catch (e) {
    return {
      ok: false,
      message: `The tool arguments are not valid JSON: ${e instanceof Error ? e.message : String(e)}`,
    };
  }
}
