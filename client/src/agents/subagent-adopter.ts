// Keeps background subagents going when the driver that ran them is gone (its tab closed, or the agent host
// stopped): every tab looks (now, when the session index changes, and every little while) for leads with
// unfinished children whose `subagents` lease is free or abandoned, claims that lease (the lease rules make
// sure one driver adopts a lead) and adopts the children from the docs: queued ones run here, a running one
// whose own turn lease is abandoned is resumed from its doc. While an agent host that may drive the lead is
// connected, the tabs leave this to it.
import { FINISHED, listSubagentRecords } from '@boocode/shared/agent/subagents/subagent-records';
import { sessionDocName } from '@boocode/shared/doc/names';
import { getSessionMeta } from '@boocode/shared/doc/session';
import { listSessions, observeSessions } from '@boocode/shared/doc/space';
import { hostMayDrive } from '@boocode/shared/protocol/host-presence';
import type { AppServices } from '../docs/doc-context.tsx';
import { judgeLease, presentHosts } from '../docs/lease-seat.ts';
import { ensureSubagentManager, holdSubagentLease, openSessionHandle } from './subagents.ts';

const CHECK_MS = 2000;
const UNFINISHED_INDEX = new Set(['idle', 'queued', 'running', 'waiting-approval']);

/** Starts this tab's adopter; returns a stop function. */
export function startSubagentAdopter(s: AppServices): () => void {
  const manager = ensureSubagentManager(s);
  let checking = false;
  let again = false;

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
      for (const parentId of parents) if (!manager.busyWith(parentId)) await adoptParent(parentId);
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
    if (!open.length) return;
    const meta = getSessionMeta(parent.doc);
    const session = meta && {
      kind: meta.kind,
      workspace: meta.workspace,
      provider: meta.provider,
      direct: !!meta.modelBaseUrl,
    };
    if (session && presentHosts(s.store).some((h) => hostMayDrive(h, session))) return;
    const verdict = await judgeLease(s.store, sessionDocName(parentId), parent.doc, 'subagents');
    if (verdict === 'alive' || verdict === 'unknown') return;
    // The children's docs must be loaded before deciding: an unloaded child looks as if its turn never started.
    await Promise.all(open.map((r) => openSessionHandle(s, r.id).whenLoaded));
    await holdSubagentLease(s, manager, parent.doc, async () => {
      const driven = new Set<string>();
      for (const r of open) {
        const child = openSessionHandle(s, r.id);
        const v = await judgeLease(s.store, sessionDocName(r.id), child.doc, 'turn');
        if (v === 'alive' || v === 'unknown') driven.add(r.id);
      }
      manager.adopt(parent.doc, (id) => driven.has(id));
    });
  }

  const offSessions = observeSessions(s.space, () => void check());
  const timer = setInterval(() => void check(), CHECK_MS);
  void check();
  return () => {
    offSessions();
    clearInterval(timer);
  };
}
