// Keeps background subagents going when the tab that ran them closes: every tab looks (now, when the session
// index changes, and every little while) for parents with unfinished children whose owner lock nobody holds
// (on two checks, CHECK_MS apart), takes that lock, and adopts the children from the docs: queued ones run
// here, a running one whose session lock is free is resumed from its doc. The locks make sure only one tab
// adopts a parent and no child runs twice.
import { FINISHED, getSubagentOwnerBeat, listSubagentRecords } from '@boocode/shared/agent/subagents/subagent-records';
import { getRunState } from '@boocode/shared/doc/session';
import { listSessions, observeSessions } from '@boocode/shared/doc/space';
import { heldSessionLocks } from '../chat/session-driver.ts';
import type { AppServices } from '../docs/doc-context.tsx';
import { DriverLiveness, deviceOfDriver, thisDeviceId } from '../docs/driver-liveness.ts';
import { ensureSubagentManager, holdOwnerLock, openSessionHandle, ownerLockName } from './subagents.ts';

const CHECK_MS = 2000;
const UNFINISHED_INDEX = new Set(['idle', 'running', 'waiting-approval']);

/** Starts this tab's adopter; returns a stop function. */
export function startSubagentAdopter(s: AppServices): () => void {
  const manager = ensureSubagentManager(s);
  const liveness = new DriverLiveness(thisDeviceId());
  let checking = false;
  let again = false;
  /** Parents that looked abandoned at the last check, with what their unfinished children looked like. */
  const suspects = new Map<string, { seen: string; at: number }>();

  async function check(): Promise<void> {
    if (checking) {
      again = true;
      return;
    }
    checking = true;
    try {
      const parents = new Set(
        listSessions(s.space, { includeArchived: true }).flatMap((e) =>
          e.parentId && UNFINISHED_INDEX.has(e.status) ? [e.parentId] : [],
        ),
      );
      if (!parents.size || !navigator.locks) return;
      const held = new Set((await navigator.locks.query()).held?.map((l) => l.name));
      for (const id of suspects.keys()) if (!parents.has(id)) suspects.delete(id);
      for (const parentId of parents) {
        if (held.has(ownerLockName(parentId)) || manager.busyWith(parentId)) suspects.delete(parentId);
        else await adoptParent(parentId);
      }
    } finally {
      checking = false;
      if (again) {
        again = false;
        void check();
      }
    }
  }

  async function adoptParent(parentId: string): Promise<void> {
    const parent = openSessionHandle(s, parentId);
    await parent.whenLoaded;
    const open = listSubagentRecords(parent.doc).filter((r) => !FINISHED.has(r.status));
    if (!open.length) return void suspects.delete(parentId);
    // A tab that just finished the children lets go of the owner lock before this tab's copy of the docs has
    // their last updates (they cross tabs through IndexedDB): the parent must look abandoned, unchanged, on two
    // checks before this tab adopts, or it would resume finished children from a stale copy.
    const seen = open.map((r) => `${r.id}:${r.status}`).join(',');
    const before = suspects.get(parentId);
    if (before?.seen !== seen) {
      suspects.set(parentId, { seen, at: Date.now() });
      return;
    }
    if (Date.now() - before.at < CHECK_MS) return;
    suspects.delete(parentId);
    // The children's docs must be loaded before deciding: an unloaded child looks as if its turn never started.
    await Promise.all(open.map((r) => openSessionHandle(s, r.id).whenLoaded));
    // Owned by a tab on another device while its beat moves (this device's locks cannot see that tab).
    const owner = getSubagentOwnerBeat(parent.doc);
    if (owner && liveness.drivenElsewhere(`owner:${parentId}`, owner)) return;
    await holdOwnerLock(manager, parent.doc, {
      ifAvailable: true,
      start: async () => {
        const driven = await heldSessionLocks();
        manager.adopt(parent.doc, (id) => driven.has(id) || childDrivenElsewhere(id));
      },
    });
  }

  /** A child's turn driven on another device, while its heartbeat moves. */
  function childDrivenElsewhere(childId: string): boolean {
    const run = getRunState(openSessionHandle(s, childId).doc);
    const device = deviceOfDriver(run.driver);
    if (run.status !== 'running' || !device) return false;
    return liveness.drivenElsewhere(`child:${childId}`, { device, at: run.heartbeatAt ?? 0 });
  }

  const offSessions = observeSessions(s.space, () => void check());
  const timer = setInterval(() => void check(), CHECK_MS);
  void check();
  return () => {
    offSessions();
    clearInterval(timer);
  };
}
