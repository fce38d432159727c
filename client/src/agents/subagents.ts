// One subagent manager per tab: every session driven here gets the subagent tools (spawn_subagent,
// subagent_status, subagent_result) on top of its own, and receives finished children's results at its next
// turn boundary. A child runs through its own session's driver (the same engine, its approvals answerable from
// any tab showing the child). While this tab has children of a parent queued or running it holds the parent
// doc's `subagents` lease and beats it; a parent whose children are unfinished and whose lease is free or
// abandoned lost its driver, and the agent host or any tab's adopter takes them over (subagent-adopter.ts).
import type { EngineHooks } from '@boocode/shared/agent/agent-engine';
import type { ToolExecutor } from '@boocode/shared/agent/engine-deps';
import { realClock } from '@boocode/shared/agent/engine-deps';
import { onlyTools } from '@boocode/shared/agent/only-tools';
import { createSubagentManager, type SubagentManager } from '@boocode/shared/agent/subagents/subagent-manager';
import { wakeIdleLead } from '@boocode/shared/agent/subagents/subagent-records';
import { sessionDocName } from '@boocode/shared/doc/names';
import { getSessionMeta } from '@boocode/shared/doc/session';
import { newId } from '@boocode/shared/ids';
import type { HeldLease } from '@boocode/shared/lease/driver-lease';
import type * as Y from 'yjs';
import { attachDriver } from '../chat/driver-registry.ts';
import type { AppServices } from '../docs/doc-context.tsx';
import type { DocHandle } from '../docs/doc-store.ts';
import { takeLease } from '../docs/lease-seat.ts';
import { runnerWorktreesForDevice } from './runner-worktrees.ts';

let manager: SubagentManager | undefined;
/** The services the manager was made with (its docs and leases go through their store). */
let services: AppServices | undefined;
/** Handles on the docs the manager opened: it needs the same instance per id for the life of the tab. */
const handles = new Map<string, DocHandle>();
/** Parents whose `subagents` lease this tab holds (until the manager has nothing left of theirs). */
const owned = new Map<string, HeldLease>();

export function openSessionHandle(s: AppServices, id: string): DocHandle {
  let h = handles.get(id);
  if (!h) {
    h = s.store.openDoc(sessionDocName(id));
    handles.set(id, h);
  }
  return h;
}

/**
 * Holds the parent's `subagents` lease while this tab's manager has its children (taken at spawn and at
 * adoption): `start` runs once the lease is held and hands the children to the manager. Resolves false, with
 * nothing started, when another live driver (a tab, the agent host) owns the parent's children.
 */
export async function holdSubagentLease(
  s: AppServices,
  m: SubagentManager,
  parentDoc: Y.Doc,
  start?: () => Promise<void> | void,
): Promise<boolean> {
  const parentId = getSessionMeta(parentDoc)?.id ?? parentDoc.guid;
  if (owned.has(parentId)) {
    await start?.();
    return true;
  }
  const lease = await takeLease(s.store, sessionDocName(parentId), parentDoc, 'subagents');
  if (!lease) return false;
  owned.set(parentId, lease);
  const stopBeating = lease.startBeating(realClock);
  try {
    await start?.();
  } catch (e) {
    stopBeating();
    lease.release();
    owned.delete(parentId);
    throw e;
  }
  void m.settled(parentId).then(() => {
    stopBeating();
    lease.release();
    owned.delete(parentId);
  });
  return true;
}

/** Creates this tab's manager (once); later calls return the same one. */
export function ensureSubagentManager(s: AppServices): SubagentManager {
  if (manager) return manager;
  const m = createSubagentManager({
    space: s.space,
    openSessionDoc: (id) => openSessionHandle(s, id).doc,
    whenSessionDocLoaded: (id) => openSessionHandle(s, id).whenLoaded,
    newId: (prefix) => newId(prefix),
    clock: { now: () => Date.now() },
    worktrees: runnerWorktreesForDevice(s.db),
    // A finished child wakes its idle lead: a new turn carrying the result, driven here unless a host takes it.
    onChildEnded: (parentDoc) => {
      if (wakeIdleLead(parentDoc, Date.now(), () => newId('msg')) === undefined) return;
      const parentId = getSessionMeta(parentDoc)?.id;
      if (!parentId) return;
      const { driver, detach } = attachDriver(s, parentId);
      void driver.driveIfNeeded().finally(detach);
    },
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
  services = s;
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
      // This tab now runs (or queues) the children: say so, through the lead's lease, to other drivers.
      if (call.name === 'spawn_subagent' && result.ok && services) void holdSubagentLease(services, m, doc);
      return result;
    },
  };
  return { tools, hooks: { atTurnBoundary: (d, turn) => void m.deliverResults(d, turn) } };
}
