// The hooks file (`.boocode/hooks.json` in the workspace, `hooks.json` in the runner's data folder): which
// agent events run a command (through the runner's approval rules) or POST JSON to a URL. A file that does not
// parse is an error with its line and column (or the path of the bad field), never a file quietly ignored.
import { z } from 'zod';

export const HOOK_EVENTS = [
  'subagent.done',
  'subagent.failed',
  'approval.waiting',
  'workflow.done',
  'workflow.failed',
  'turn.done',
] as const;
export const hookEventNameSchema = z.enum(HOOK_EVENTS);
export type HookEventName = z.infer<typeof hookEventNameSchema>;

export const HOOK_DEFAULT_TIMEOUT_MS = 10_000;
export const HOOK_MAX_TIMEOUT_MS = 60_000;

export const hookSchema = z
  .strictObject({
    on: z.union([hookEventNameSchema, z.array(hookEventNameSchema).min(1)]),
    /** A command line, run by the runner under its approval rules; `{event}`, `{id}`, `{session}` are filled in. */
    run: z.string().min(1).max(8192).optional(),
    /** An http(s) URL the event is POSTed to as JSON. */
    post: z.url({ protocol: /^https?$/ }).optional(),
    timeoutMs: z.number().int().min(1).max(HOOK_MAX_TIMEOUT_MS).optional(),
  })
  .refine((h) => (h.run === undefined) !== (h.post === undefined), {
    message: 'a hook needs exactly one of `run` or `post`',
  });
export type Hook = z.infer<typeof hookSchema>;

export const hookFileSchema = z.strictObject({ hooks: z.array(hookSchema).max(100) });

export interface HookFileError {
  file: string;
  /** 1-based, when the error has a place in the text (a JSON syntax error). */
  line?: number;
  column?: number;
  /** The path of the bad field (`hooks.0.on`), for a shape error. */
  path?: string;
  message: string;
}

export type HookFileParse = { ok: true; hooks: Hook[] } | { ok: false; error: HookFileError };

/** Events a hook listens to, as a list. */
export function hookEvents(hook: Hook): HookEventName[] {
  return Array.isArray(hook.on) ? hook.on : [hook.on];
}

export function hookTimeoutMs(hook: Hook): number {
  return hook.timeoutMs ?? HOOK_DEFAULT_TIMEOUT_MS;
}

/** What a hook does, in a few words, for logs and Settings (`run: ./notify.sh`, `post: http://…`). */
export function hookLabel(hook: Hook): string {
  return hook.run !== undefined ? `run: ${hook.run}` : `post: ${hook.post}`;
}

export function parseHookFile(text: string, file: string): HookFileParse {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    const message = e instanceof Error ? e.message : String(e);
    return { ok: false, error: { file, ...jsonErrorPlace(text, message), message: `not valid JSON: ${message}` } };
  }
  const parsed = hookFileSchema.safeParse(json);
  if (parsed.success) return { ok: true, hooks: parsed.data.hooks };
  const issue = parsed.error.issues[0];
  const path = issue?.path.map(String).join('.') ?? '';
  return {
    ok: false,
    error: {
      file,
      ...(path ? { path } : {}),
      ...(issue ? placeOfPath(text, issue.path) : {}),
      message: `${path ? `${path}: ` : ''}${issue?.message ?? 'not a hooks file'}`,
    },
  };
}

/**
 * Line and column of a JSON.parse error. V8 says `at position N` (and, since Node 22, `(line L column C)`);
 * an unexpected end is placed at the end of the text.
 */
export function jsonErrorPlace(text: string, message: string): { line: number; column: number } {
  const lc = /line (\d+) column (\d+)/.exec(message);
  if (lc) return { line: Number(lc[1]), column: Number(lc[2]) };
  const pos = /position (\d+)/.exec(message);
  return placeOfOffset(text, pos ? Number(pos[1]) : text.length);
}

function placeOfOffset(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, Math.min(offset, text.length)).split('\n');
  return { line: before.length, column: (before.at(-1)?.length ?? 0) + 1 };
}

/**
 * The line of the field a shape error names, found by walking the text: the n-th element of an array, a key of
 * an object. Best effort (a hooks file is small and plain JSON); undefined when the walk gets lost.
 */
function placeOfPath(text: string, path: readonly PropertyKey[]): { line?: number; column?: number } {
  let offset = skipSpace(text, 0);
  for (const step of path) {
    const at = typeof step === 'number' ? elementOffset(text, offset, step) : keyOffset(text, offset, String(step));
    if (at === undefined) break;
    offset = at;
  }
  return placeOfOffset(text, offset);
}

function skipSpace(text: string, i: number): number {
  while (i < text.length && /\s/.test(text[i] as string)) i++;
  return i;
}

/** Offset just past a JSON value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text[i];
  if (c === '"') {
    i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    return i + 1;
  }
  if (c === '{' || c === '[') {
    let depth = 0;
    for (; i < text.length; i++) {
      const ch = text[i];
      if (ch === '"') i = skipValue(text, i) - 1;
      else if (ch === '{' || ch === '[') depth++;
      else if (ch === '}' || ch === ']') {
        depth--;
        if (depth === 0) return i + 1;
      }
    }
    return i;
  }
  while (i < text.length && !/[,\]}\s]/.test(text[i] as string)) i++;
  return i;
}

function elementOffset(text: string, i: number, n: number): number | undefined {
  if (text[i] !== '[') return undefined;
  i = skipSpace(text, i + 1);
  for (let k = 0; k < n; k++) {
    i = skipSpace(text, skipValue(text, i));
    if (text[i] !== ',') return undefined;
    i = skipSpace(text, i + 1);
  }
  return i;
}

function keyOffset(text: string, i: number, key: string): number | undefined {
  if (text[i] !== '{') return undefined;
  i = skipSpace(text, i + 1);
  while (text[i] === '"') {
    const end = skipValue(text, i);
    const name = JSON.parse(text.slice(i, end)) as string;
    const valueAt = skipSpace(text, skipSpace(text, end) + 1);
    if (name === key) return valueAt;
    i = skipSpace(text, skipValue(text, valueAt));
    if (text[i] !== ',') return undefined;
    i = skipSpace(text, i + 1);
  }
  return undefined;
}
