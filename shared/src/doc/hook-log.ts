// Hooks in the docs. The firing log (`hookFirings` in the session or workflow-run doc the event comes from):
// event id → who claimed it, when, and each hook's result, so an event fires once across hosts and restarts and
// the session shows what its hooks did. The hooks status (`hooks` in the space doc): per workspace, the files
// the host loaded (with a parse error and its line, if any), each hook's last result, and the time from which
// events count (older ones are history, never fired). Only this module knows these key names.
import type * as Y from 'yjs';
import type { Hook, HookEventName, HookFileError } from '../hooks/hook-config.ts';

const FIRINGS = 'hookFirings';
const HOOKS = 'hooks';

export interface HookResult {
  /** `hookLabel` of the hook (`run: …` / `post: …`) and the file it came from. */
  hook: string;
  file: string;
  ok: boolean;
  /** `exit code 0`, `HTTP 204`, `timed out after 500 ms`, `denied by rule …`, an error in words. */
  detail: string;
  at: number;
}

export interface HookFiring {
  event: HookEventName;
  /** The host that claimed the event (`host:<id>`): only it fires it. */
  by: string;
  claimedAt: number;
  /** One per hook that listens to the event, written as each ends. */
  results: HookResult[];
  /** Set once every hook ended. */
  doneAt?: number;
}

function firingsMap(doc: Y.Doc): Y.Map<HookFiring> {
  return doc.getMap<HookFiring>(FIRINGS);
}

export function getHookFiring(doc: Y.Doc, eventId: string): HookFiring | undefined {
  return firingsMap(doc).get(eventId);
}

export function listHookFirings(doc: Y.Doc): Array<HookFiring & { id: string }> {
  return [...firingsMap(doc).entries()]
    .map(([id, f]) => ({ ...f, id }))
    .sort((a, b) => a.claimedAt - b.claimedAt || (a.id < b.id ? -1 : 1));
}

/** Writes the claim unless the event has one already; true when this call wrote it. */
export function claimHookFiring(doc: Y.Doc, eventId: string, event: HookEventName, by: string, now: number): boolean {
  let claimed = false;
  doc.transact(() => {
    const map = firingsMap(doc);
    if (map.has(eventId)) return;
    map.set(eventId, { event, by, claimedAt: now, results: [] });
    claimed = true;
  });
  return claimed;
}

export function addHookResult(doc: Y.Doc, eventId: string, result: HookResult, done: boolean): void {
  doc.transact(() => {
    const map = firingsMap(doc);
    const cur = map.get(eventId);
    if (!cur) return;
    map.set(eventId, { ...cur, results: [...cur.results, result], ...(done ? { doneAt: result.at } : {}) });
  });
}

export function observeHookFirings(doc: Y.Doc, onChange: () => void): () => void {
  const map = firingsMap(doc);
  const handler = () => onChange();
  map.observe(handler);
  return () => map.unobserve(handler);
}

/** One hooks file as the host loaded it: its hooks, or why it could not be read. */
export interface HookFileStatus {
  file: string;
  /** 'personal' (the runner's data folder) or 'workspace' (`.boocode/hooks.json`). */
  scope: 'personal' | 'workspace';
  hooks: Hook[];
  error?: HookFileError;
}

export interface HooksStatus {
  workspaceId: string;
  workspaceName: string;
  /** The host that loaded the files (`host:<id>`), and when. */
  loadedBy: string;
  loadedAt: number;
  /** Events older than this are history: a host never fires them. Kept across loads. */
  since: number;
  files: HookFileStatus[];
  /** The last result of each hook, by `<file>#<index>`. */
  last: Record<string, HookResult>;
}

function hooksMap(space: Y.Doc): Y.Map<HooksStatus> {
  return space.getMap<HooksStatus>(HOOKS);
}

export const hookKey = (file: string, index: number) => `${file}#${index}`;

/** Records what a host loaded; `since` and the last results already there are kept. */
export function putHooksStatus(space: Y.Doc, status: Omit<HooksStatus, 'since' | 'last'>, now: number): HooksStatus {
  let written!: HooksStatus;
  space.transact(() => {
    const map = hooksMap(space);
    const cur = map.get(status.workspaceId);
    written = { ...status, since: cur?.since ?? now, last: cur?.last ?? {} };
    map.set(status.workspaceId, written);
  });
  return written;
}

export function getHooksStatus(space: Y.Doc, workspaceId: string): HooksStatus | undefined {
  return hooksMap(space).get(workspaceId);
}

export function listHooksStatus(space: Y.Doc): HooksStatus[] {
  return [...hooksMap(space).values()].sort((a, b) => a.workspaceName.localeCompare(b.workspaceName));
}

export function recordLastHookResult(space: Y.Doc, workspaceId: string, key: string, result: HookResult): void {
  space.transact(() => {
    const map = hooksMap(space);
    const cur = map.get(workspaceId);
    if (cur) map.set(workspaceId, { ...cur, last: { ...cur.last, [key]: result } });
  });
}

export function observeHooksStatus(space: Y.Doc, onChange: () => void): () => void {
  const map = hooksMap(space);
  const handler = () => onChange();
  map.observe(handler);
  return () => map.unobserve(handler);
}
