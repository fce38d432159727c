// Hooks on the agent host: reads the hooks files once at start (a file that does not parse is logged with its
// line and shown in Settings, its hooks not loaded), and fires each event its own driving made, once. The
// claim is written into the session doc's firing log before any hook runs, so a restart or a second look never
// fires it again; only the lease holder the event names fires, so a second host never does. Hooks run beside
// the agent (tracked, never awaited by it): a failing or hanging one is cut off at its limit and logged.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Clock } from '@boocode/shared/agent/engine-deps';
import {
  addHookResult,
  claimHookFiring,
  getHookFiring,
  type HookFileStatus,
  type HookResult,
  hookKey,
  putHooksStatus,
  recordLastHookResult,
} from '@boocode/shared/doc/hook-log';
import { sessionDocName } from '@boocode/shared/doc/names';
import { hookEvents, hookLabel, parseHookFile } from '@boocode/shared/hooks/hook-config';
import {
  type HookEvent,
  sessionHookEvents,
  subagentHookEvents,
  workflowHookEvents,
} from '@boocode/shared/hooks/hook-events';
import type * as Y from 'yjs';
import type { HookOutcome, HookPayload } from './hook-runner.ts';
import type { HostDoc } from './host-docs.ts';

export const HOOKS_FILE = 'hooks.json';

/** The personal file (runner's data folder) and the workspace's `.boocode/hooks.json`; a missing file is no file. */
export async function loadHookFiles(workspace: string, dataDir: string): Promise<HookFileStatus[]> {
  const places = [
    { scope: 'personal' as const, file: join(dataDir, HOOKS_FILE) },
    { scope: 'workspace' as const, file: join(workspace, '.boocode', HOOKS_FILE) },
  ];
  const files: HookFileStatus[] = [];
  for (const { scope, file } of places) {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') continue;
      files.push({ file, scope, hooks: [], error: { file, message: `cannot be read: ${(e as Error).message}` } });
      continue;
    }
    const parsed = parseHookFile(text, file);
    files.push(parsed.ok ? { file, scope, hooks: parsed.hooks } : { file, scope, hooks: [], error: parsed.error });
  }
  return files;
}

export interface HostHooksOptions {
  space: Y.Doc;
  /** This host's driver id (`host:<id>`). */
  me: string;
  workspaceId: string;
  workspaceName: string;
  files: HookFileStatus[];
  clock: Clock;
  log: (message: string) => void;
  /** Opens a doc of the host (held until the firing's results are written and stored). */
  openDoc(name: string): HostDoc;
  run(
    hook: HookFileStatus['hooks'][number],
    scope: HookFileStatus['scope'],
    payload: HookPayload,
    stop: AbortSignal,
  ): Promise<HookOutcome>;
}

export interface HostHooks {
  /** Looks for new events in a session doc (turns, approvals, its subagents) or a workflow-run doc. */
  check(doc: Y.Doc, source: 'session' | 'run'): void;
  /** Resolves once no firing is in flight (tests). */
  settled(): Promise<void>;
  /** Cuts off running hooks (each logged as cut off) and waits for their results to be written. */
  close(): Promise<void>;
}

export function createHostHooks(o: HostHooksOptions): HostHooks {
  const status = putHooksStatus(
    o.space,
    {
      workspaceId: o.workspaceId,
      workspaceName: o.workspaceName,
      loadedBy: o.me,
      loadedAt: o.clock.now(),
      files: o.files,
    },
    o.clock.now(),
  );
  for (const f of o.files) {
    if (f.error) {
      const place = f.error.line ? ` line ${f.error.line}${f.error.column ? ` column ${f.error.column}` : ''}` : '';
      o.log(`hooks file ${f.file}${place}: ${f.error.message}; its hooks are not loaded.`);
    } else o.log(`hooks file ${f.file}: ${f.hooks.length} hook(s) loaded.`);
  }
  const hooks = o.files.flatMap((f) =>
    f.hooks.map((hook, i) => ({ hook, file: f.file, scope: f.scope, key: hookKey(f.file, i) })),
  );
  const inFlight = new Map<string, Promise<void>>();
  const stop = new AbortController();

  function wanted(e: HookEvent): boolean {
    return e.firer === o.me && e.at >= status.since && hooks.some((h) => hookEvents(h.hook).includes(e.event));
  }

  async function fire(e: HookEvent): Promise<void> {
    const handle = o.openDoc(sessionDocName(e.sessionId));
    try {
      await handle.whenSynced;
      if (stop.signal.aborted || getHookFiring(handle.doc, e.id)) return;
      if (!claimHookFiring(handle.doc, e.id, e.event, o.me, o.clock.now())) return;
      const listening = hooks.filter((h) => hookEvents(h.hook).includes(e.event));
      const payload: HookPayload = {
        event: e.event,
        id: e.id,
        sessionId: e.sessionId,
        at: e.at,
        workspace: o.workspaceName,
        data: e.data,
      };
      let left = listening.length;
      await Promise.all(
        listening.map(async (h) => {
          const outcome = await o.run(h.hook, h.scope, payload, stop.signal);
          const result: HookResult = { hook: hookLabel(h.hook), file: h.file, ...outcome, at: o.clock.now() };
          addHookResult(handle.doc, e.id, result, --left === 0);
          recordLastHookResult(o.space, o.workspaceId, h.key, result);
          if (!outcome.ok) o.log(`hook ${result.hook} on ${e.id} failed: ${outcome.detail}`);
        }),
      );
      await handle.whenStored(3000);
    } finally {
      handle.release();
    }
  }

  return {
    check(doc, source) {
      if (stop.signal.aborted || hooks.length === 0) return;
      const events =
        source === 'run' ? workflowHookEvents(doc) : [...sessionHookEvents(doc), ...subagentHookEvents(doc)];
      for (const e of events) {
        if (inFlight.has(e.id) || !wanted(e) || getHookFiring(doc, e.id)) continue;
        const firing = fire(e)
          .catch((err: unknown) => o.log(`hooks on ${e.id}: ${err instanceof Error ? err.message : String(err)}`))
          .finally(() => inFlight.delete(e.id));
        inFlight.set(e.id, firing);
      }
    },
    async settled() {
      while (inFlight.size) await Promise.all(inFlight.values());
    },
    async close() {
      stop.abort();
      while (inFlight.size) await Promise.all(inFlight.values());
    },
  };
}
