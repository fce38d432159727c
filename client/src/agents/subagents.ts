// One subagent manager per tab: every session driven here gets the subagent tools (spawn_subagent,
// subagent_status, subagent_result) on top of its own, and receives finished children's results at its next
// turn boundary. A child runs through its own session's driver (the same engine, its approvals answerable from
// any tab showing the child). While this tab has children of a parent queued or running it holds that parent's
// owner lock; a parent whose children are unfinished and whose owner lock is free lost its tab, and any tab's
// adopter takes them over (see subagent-adopter.ts).
import type { EngineHooks } from '@boocode/shared/agent/agent-engine';
import type { ToolExecutor } from '@boocode/shared/agent/engine-deps';
import { onlyTools } from '@boocode/shared/agent/only-tools';
import { createSubagentManager, type SubagentManager } from '@boocode/shared/agent/subagents/subagent-manager';
import { setSubagentOwnerBeat } from '@boocode/shared/agent/subagents/subagent-records';
import { sessionDocName } from '@boocode/shared/doc/names';
import { getSessionMeta } from '@boocode/shared/doc/session';
import { newId } from '@boocode/shared/ids';
import type * as Y from 'yjs';
import { attachDriver } from '../chat/driver-registry.ts';
import type { AppServices } from '../docs/doc-context.tsx';
import type { DocHandle } from '../docs/doc-store.ts';
import { BEAT_MS, thisDeviceId } from '../docs/driver-liveness.ts';
import { runnerWorktreesForDevice } from './runner-worktrees.ts';

const OWNER_LOCK_PREFIX = 'boocode-subagents:';

let manager: SubagentManager | undefined;
/** Handles on the docs the manager opened: it needs the same instance per id for the life of the tab. */
const handles = new Map<string, DocHandle>();
/** Parents whose owner lock this tab holds (until the manager has nothing left of theirs). */
const owned = new Set<string>();

export function openSessionHandle(s: AppServices, id: string): DocHandle {
  let h = handles.get(id);
  if (!h) {
    h = s.store.openDoc(sessionDocName(id));
    handles.set(id, h);
  }
  return h;
}

export function ownerLockName(parentId: string): string {
  return `${OWNER_LOCK_PREFIX}${parentId}`;
}

/**
 * Holds the parent's owner lock while this tab's manager has its children (taken at spawn and at adoption):
 * `start` runs once the lock is held and hands the children to the manager. With `ifAvailable`, when another
 * tab owns the parent this resolves false and nothing starts.
 */
export function holdOwnerLock(
  m: SubagentManager,
  parentDoc: Y.Doc,
  opts: { ifAvailable?: boolean; start?: () => Promise<void> } = {},
): Promise<boolean> {
  const parentId = getSessionMeta(parentDoc)?.id ?? parentDoc.guid;
  if (owned.has(parentId) || !navigator.locks) return opts.start?.().then(() => true) ?? Promise.resolve(true);
  return new Promise<boolean>((resolve, reject) => {
    void navigator.locks.request(ownerLockName(parentId), { ifAvailable: opts.ifAvailable ?? false }, async (lock) => {
      if (!lock) return resolve(false);
      owned.add(parentId);
      // The lock is this device's only; the beat in the parent doc tells other devices the children are owned.
      const beat = () => setSubagentOwnerBeat(parentDoc, { device: thisDeviceId(), at: Date.now() });
      beat();
      const beating = setInterval(beat, BEAT_MS);
      try {
        await opts.start?.();
        resolve(true);
        await m.settled(parentId);
      } catch (e) {
        reject(e);
      } finally {
        clearInterval(beating);
        owned.delete(parentId);
      }
    });
  });
}

/** Creates this tab's manager (once); later calls return the same one. */
export function ensureSubagentManager(s: AppServices): SubagentManager {
  if (manager) return manager;
  const m = createSubagentManager({
    space: s.space,
    openSessionDoc: (id) => openSessionHandle(s, id).doc,
    newId: (prefix) => newId(prefix),
    clock: { now: () => Date.now() },
    worktrees: runnerWorktreesForDevice(s.db),
    runChild: async (_childDoc, prompt, opts, signal) => {
      await openSessionHandle(s, opts.childId).whenLoaded;
      const { driver, detach } = attachDriver(s, opts.childId);
      const abort = new AbortController();
      const onAbort = () => abort.abort();
      if (signal.aborted) abort.abort();
      else signal.addEventListener('abort', onAbort, { once: true });
      try {
        return await driver.runSubagent(prompt, abort.signal);
      } finally {
        signal.removeEventListener('abort', onAbort);
        detach();
      }
    },
  });
  manager = m;
  return m;
}

/** This tab's manager, if the app has made it. */
export function subagentManager(): SubagentManager | undefined {
  return manager;
}

/** The session's tools with the subagent tools added, and the hook that delivers results (none before boot). */
export function withSubagents(
  doc: Y.Doc,
  base?: ToolExecutor,
  allowed?: string[],
): { tools?: ToolExecutor; hooks?: EngineHooks } {
  const m = manager;
  if (!m) return { tools: base && allowed ? onlyTools(base, allowed) : base };
  const withTools = allowed ? onlyTools(m.tools(doc, base), allowed) : m.tools(doc, base);
  const tools: ToolExecutor = {
    definitions: () => withTools.definitions(),
    execute: async (call, ctx) => {
      const result = await withTools.execute(call, ctx);
      // This tab now runs (or queues) the children: say so to the other tabs' adopters.
      if (call.name === 'spawn_subagent' && result.ok) void holdOwnerLock(m, doc);
      return result;
    },
  };
  return { tools, hooks: { atTurnBoundary: (d, turn) => void m.deliverResults(d, turn) } };
}
