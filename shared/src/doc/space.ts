// The `space` doc: one per workspace. Holds the session index (what the session list shows on every
// tab and device), settings that follow the user, and the workflow result cache index.
// Only this module knows its key names.
import type * as Y from 'yjs';
import type { SessionIndexEntry } from './space-schema.ts';

export type { SessionIndexEntry, SessionKind, SessionStatus } from './space-schema.ts';

const SESSIONS = 'sessions';
const SETTINGS = 'settings';
const WORKFLOW_CACHE = 'workflowCache';

function sessionsMap(doc: Y.Doc): Y.Map<SessionIndexEntry> {
  return doc.getMap<SessionIndexEntry>(SESSIONS);
}

export function putSessionEntry(doc: Y.Doc, entry: SessionIndexEntry): void {
  sessionsMap(doc).set(entry.id, entry);
}

export function getSessionEntry(doc: Y.Doc, id: string): SessionIndexEntry | undefined {
  return sessionsMap(doc).get(id);
}

/** Merges a patch into one entry; a missing entry is left missing (returns false). */
export function updateSessionEntry(doc: Y.Doc, id: string, patch: Partial<Omit<SessionIndexEntry, 'id'>>): boolean {
  const map = sessionsMap(doc);
  const cur = map.get(id);
  if (!cur) return false;
  const next: SessionIndexEntry = { ...cur, ...patch, id };
  for (const k of Object.keys(next) as (keyof SessionIndexEntry)[]) if (next[k] === undefined) delete next[k];
  map.set(id, next);
  return true;
}

export interface ListSessionsOptions {
  includeArchived?: boolean;
  includeDeleted?: boolean;
  /** Leave out sessions that an agent started (workflow agents, subagents): they have a parent. */
  topLevelOnly?: boolean;
  search?: string;
}

/** Sessions sorted by last activity, newest first. */
export function listSessions(doc: Y.Doc, opts: ListSessionsOptions = {}): SessionIndexEntry[] {
  const q = opts.search?.trim().toLowerCase();
  const out: SessionIndexEntry[] = [];
  for (const entry of sessionsMap(doc).values()) {
    if (entry.deletedAt !== undefined && !opts.includeDeleted) continue;
    if (entry.archivedAt !== undefined && !opts.includeArchived) continue;
    if (opts.topLevelOnly && entry.parentId !== undefined) continue;
    if (q && !entry.title.toLowerCase().includes(q)) continue;
    out.push(entry);
  }
  return out.sort((a, b) => b.updatedAt - a.updatedAt || (a.id < b.id ? 1 : -1));
}

/** How many live (not deleted) sessions each parent has started, by parent id. */
export function countChildSessions(doc: Y.Doc): Map<string, number> {
  const counts = new Map<string, number>();
  for (const entry of sessionsMap(doc).values()) {
    if (entry.parentId === undefined || entry.deletedAt !== undefined) continue;
    counts.set(entry.parentId, (counts.get(entry.parentId) ?? 0) + 1);
  }
  return counts;
}

export function observeSessions(doc: Y.Doc, onChange: () => void): () => void {
  const map = sessionsMap(doc);
  const handler = () => onChange();
  map.observe(handler);
  return () => map.unobserve(handler);
}

// Settings that should follow the user across devices. Local-only values (tokens, keys) never go here.
export type SyncedSettings = {
  theme?: 'light' | 'dark' | 'system';
  defaultModel?: string;
  defaultProvider?: string;
  approvalRules?: unknown[];
  notifications?: Record<string, boolean>;
  otlpEndpoint?: string;
};

export function getSetting<K extends keyof SyncedSettings>(doc: Y.Doc, key: K): SyncedSettings[K] | undefined {
  return doc.getMap<unknown>(SETTINGS).get(key) as SyncedSettings[K] | undefined;
}

export function setSetting<K extends keyof SyncedSettings>(doc: Y.Doc, key: K, value: SyncedSettings[K]): void {
  doc.getMap<unknown>(SETTINGS).set(key, value);
}

export function observeSettings(doc: Y.Doc, onChange: () => void): () => void {
  const map = doc.getMap<unknown>(SETTINGS);
  const handler = () => onChange();
  map.observe(handler);
  return () => map.unobserve(handler);
}

/** Workflow result cache index: spec hash -> where its finished result lives, so any device can reuse it. */
export type WorkflowCacheEntry = { runId: string; agentIndex: number; finishedAt: number };

export function getWorkflowCacheEntry(doc: Y.Doc, specHash: string): WorkflowCacheEntry | undefined {
  return doc.getMap<WorkflowCacheEntry>(WORKFLOW_CACHE).get(specHash);
}

export function putWorkflowCacheEntry(doc: Y.Doc, specHash: string, entry: WorkflowCacheEntry): void {
  doc.getMap<WorkflowCacheEntry>(WORKFLOW_CACHE).set(specHash, entry);
}
