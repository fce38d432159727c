// The agent host: a Node process beside the runner that drives sessions, background subagents and (see
// host-workflows.ts) workflow runs with the same shared engines as a tab, so the work outlives every tab.
// It is an ordinary Yjs client of the sync server. It says it is present on the space doc (awareness), reads
// the space index as its inbox (sessions queued, running, waiting on an answered approval, leads with
// unfinished children), and for each takes the doc's lease by the shared rules (lease/driver-lease.ts)
// before it drives. On start it resumes whatever its docs say was running. Tabs hand turns to it while it
// is present and take over (by the same lease rules) when it is gone.
import { AgentEngine, SessionBusyError } from '@boocode/shared/agent/agent-engine';
import { type Clock, realClock, type ToolExecutor } from '@boocode/shared/agent/engine-deps';
import { onlyTools } from '@boocode/shared/agent/only-tools';
import { sessionStatusOf } from '@boocode/shared/agent/session-status';
import { sessionSummaryOf } from '@boocode/shared/agent/session-summary';
import { runChildTurn } from '@boocode/shared/agent/subagents/child-turn';
import { createSubagentManager, type SubagentManager } from '@boocode/shared/agent/subagents/subagent-manager';
import { FINISHED, listSubagentRecords, wakeIdleLead } from '@boocode/shared/agent/subagents/subagent-records';
import { turnDemand } from '@boocode/shared/agent/turn-demand';
import type { HookFileStatus } from '@boocode/shared/doc/hook-log';
import { getLease, type LeaseName } from '@boocode/shared/doc/lease';
import { SPACE_DOC, sessionDocName } from '@boocode/shared/doc/names';
import { getSessionMeta, sessionOffersSubagents, setSessionMeta } from '@boocode/shared/doc/session';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import { listSessions, observeSessions, updateSessionEntry } from '@boocode/shared/doc/space';
import { observeWorkflowRunIndex } from '@boocode/shared/doc/workflow-run';
import { newId } from '@boocode/shared/ids';
import {
  claimLease,
  type HeldLease,
  type HolderProbe,
  hostDriverId,
  isHostDriver,
  LEASE_TIMING,
  type LeaseTiming,
  LeaseWatch,
} from '@boocode/shared/lease/driver-lease';
import { HOST_PRESENCE_FIELD, type HostPresence, hostsInAwareness } from '@boocode/shared/protocol/host-presence';
import { createRunnerClient } from '@boocode/shared/runner/runner-http-client';
import type * as Y from 'yjs';
import { runHook } from './hook-runner.ts';
import type { HostDoc, HostDocs } from './host-docs.ts';
import { createHostHooks } from './host-hooks.ts';
import { type HostRunnerAccess, hostTurnSetup } from './host-turn-setup.ts';
import { createHostWorkflows } from './host-workflows.ts';

export interface AgentHostOptions {
  docs: HostDocs;
  hostId: string;
  workspaceId: string;
  workspaceName: string;
  /** The workspace folder (its `.boocode/workflows` and `.claude/workflows` are searched by workflow(name)). */
  workspace: string;
  runner: HostRunnerAccess;
  /** Runner providers this host can call (a key set, or none needed). */
  providers: string[];
  log: (message: string) => void;
  clock?: Clock;
  timing?: LeaseTiming;
  /** How often the inbox is read again besides on every index change (ms). */
  scanMs?: number;
  /** How long a session doc stays open after its last turn (LINGER_MS). */
  lingerMs?: number;
  /** The hooks files as loaded (host-hooks.ts loadHookFiles); none, no hooks. */
  hookFiles?: HookFileStatus[];
}

export interface AgentHost {
  readonly driverId: string;
  /** Sessions this host drives right now. */
  driving(): string[];
  /** Workflow runs this host drives right now. */
  drivingRuns(): string[];
  /** Resolves once nothing is being driven (tests). */
  idle(): Promise<void>;
  /** Resolves once no hook is running (tests). */
  hooksSettled(): Promise<void>;
  close(): Promise<void>;
}

/** A session the host keeps open while it has (or may soon have) work in it. */
interface Slot {
  handle: HostDoc;
  /** When it was opened or last driven: a doc lingers LINGER_MS after that before it is closed. */
  activeAt: number;
  driving: Promise<void> | undefined;
  engine: AgentEngine | undefined;
  off: () => void;
}

const INBOX_STATUSES = new Set(['queued', 'running', 'waiting-approval']);
const STORED_WAIT_MS = 3000;
/**
 * How long a session doc stays open after its turn ended. The index entry is one value: a tab's "queued"
 * for the next message, written as this host writes "idle", can lose to it, and then only the session doc
 * says a turn waits. While the doc is open its changes wake the host; this covers the message in flight.
 */
const LINGER_MS = 10_000;

export async function startAgentHost(o: AgentHostOptions): Promise<AgentHost> {
  const clock = o.clock ?? realClock;
  const timing = o.timing ?? LEASE_TIMING;
  const me = hostDriverId(o.hostId);
  const watch = new LeaseWatch(() => clock.now(), timing);
  const space = o.docs.openDoc(SPACE_DOC);
  await space.whenSynced;
  const presence: HostPresence = {
    id: o.hostId,
    workspaceId: o.workspaceId,
    workspaceName: o.workspaceName,
    startedAt: clock.now(),
    drives: ['chat', 'coder', 'subagents', 'workflows'],
    providers: o.providers,
  };
  space.awareness.setLocalStateField(HOST_PRESENCE_FIELD, presence);
  const slots = new Map<string, Slot>();
  const runnerClient = createRunnerClient({ runnerUrl: o.runner.url, token: o.runner.token });
  const hooks = createHostHooks({
    space: space.doc,
    me,
    workspaceId: o.workspaceId,
    workspaceName: o.workspaceName,
    files: o.hookFiles ?? [],
    clock,
    log: o.log,
    openDoc: (name) => o.docs.openDoc(name),
    run: (hook, scope, payload, stop) => runHook(hook, payload, { runner: runnerClient, scope, stop }),
  });
  const subagentLeases = new Map<string, HeldLease>();
  let closed = false;

  /** Other hosts: present on the space doc, or gone. Tabs: judged by their beat. */
  const probe: HolderProbe = (holder) => {
    if (!isHostDriver(holder)) return undefined;
    if (!space.connected()) return undefined;
    const hosts = hostsInAwareness(space.awareness.getStates() as Map<number, Record<string, unknown>>);
    return hosts.some((h) => hostDriverId(h.id) === holder) ? 'alive' : 'gone';
  };

  const slotOf = (id: string): Slot => {
    let slot = slots.get(id);
    if (slot) return slot;
    const handle = o.docs.openDoc(sessionDocName(id));
    const created: Slot = { handle, activeAt: clock.now(), driving: undefined, engine: undefined, off: () => {} };
    const onChange = () => evaluateSoon(id);
    handle.doc.on('afterTransaction', onChange);
    created.off = () => handle.doc.off('afterTransaction', onChange);
    slots.set(id, created);
    slot = created;
    return slot;
  };

  /** Rule 4 with this host's judgement: the lease if it is free, abandoned or a previous life's. */
  function takeLease(id: string, name: LeaseName): Promise<HeldLease | undefined> {
    return takeLeaseOf(slotOf(id).handle, name);
  }

  async function takeLeaseOf(handle: HostDoc, name: LeaseName): Promise<HeldLease | undefined> {
    const verdict = watch.judge(`${handle.name}/${name}`, getLease(handle.doc, name), me, {
      probe,
      connected: handle.connected(),
    });
    if (verdict !== 'free' && verdict !== 'abandoned' && verdict !== 'mine') return undefined;
    return claimLease(handle.doc, name, {
      holder: me,
      clock,
      timing,
      ...(handle.connected() ? { whenStored: () => handle.whenStored(STORED_WAIT_MS).then(() => {}) } : {}),
    });
  }

  function mirrorStatus(id: string): void {
    const doc = slots.get(id)?.handle.doc;
    if (!doc) return;
    space.doc.transact(() =>
      updateSessionEntry(space.doc, id, {
        status: sessionStatusOf(doc),
        updatedAt: clock.now(),
        ...sessionSummaryOf(doc),
      }),
    );
  }

  /**
   * Sessions the subagent manager holds (a lead's children): their docs stay open until the child ends, since
   * a doc closed under the manager would take its writes nowhere.
   */
  const pinned = new Set<string>();
  const manager: SubagentManager = createSubagentManager({
    space: space.doc,
    openSessionDoc: (id) => {
      pinned.add(id);
      return slotOf(id).handle.doc;
    },
    newId: (p) => newId(p),
    clock,
    runChild: async (childDoc, prompt, _opts, signal) => {
      const id = getSessionMeta(childDoc)?.id ?? childDoc.guid;
      await slotOf(id).handle.whenSynced;
      let outcome: Awaited<ReturnType<typeof runChildTurn>> = { status: 'elsewhere' };
      await drive(id, async (engine) => {
        outcome = await runChildTurn(engine, childDoc, prompt, signal);
      });
      return outcome;
    },
    onChildEnded: (parentDoc, childId) => {
      pinned.delete(childId);
      const parentId = getSessionMeta(parentDoc)?.id;
      if (!parentId || wakeIdleLead(parentDoc, clock.now(), () => newId('msg')) === undefined) return;
      // The lead was idle: its new turn carries the result; this host drives it (or a tab, if it is gone).
      mirrorStatus(parentId);
      void evaluate(parentId);
    },
  });

  /** The lead's tools with the subagent tools added; spawning takes the lead's `subagents` lease. */
  function withSubagentTools(leadId: string, doc: Y.Doc, base: ToolExecutor | undefined): ToolExecutor {
    const withTools = manager.tools(doc, base);
    return {
      definitions: () => withTools.definitions(),
      execute: async (call, ctx) => {
        const result = await withTools.execute(call, ctx);
        if (call.name === 'spawn_subagent' && result.ok) void ownChildren(leadId);
        return result;
      },
    };
  }

  /** Holds the lead's `subagents` lease while this host's manager has children of it. */
  async function ownChildren(leadId: string, adopt?: () => void): Promise<boolean> {
    if (subagentLeases.has(leadId)) {
      adopt?.();
      return true;
    }
    const lease = await takeLease(leadId, 'subagents');
    if (!lease) return false;
    subagentLeases.set(leadId, lease);
    const stopBeating = lease.startBeating(clock, timing.beatMs);
    adopt?.();
    void manager.settled(leadId).then(() => {
      stopBeating();
      lease.release();
      subagentLeases.delete(leadId);
    });
    return true;
  }

  /** An engine of this host for the session (its seat, the session's model and tools), or an Error in words. */
  function engineFor(id: string): AgentEngine | Error {
    const doc = slotOf(id).handle.doc;
    const meta = getSessionMeta(doc);
    if (!meta) return new Error('the session has no meta yet');
    const setup = hostTurnSetup(modelMetaOf(meta), doc, o.runner);
    if (setup instanceof Error) return setup;
    // Subagent tools only where the session has them on (their definitions cost every call), as in a tab.
    const tools = sessionOffersSubagents(meta) ? withSubagentTools(id, doc, setup.tools) : setup.tools;
    return new AgentEngine(
      {
        doc,
        model: setup.client,
        tools: tools && meta.tools ? onlyTools(tools, meta.tools) : tools,
        clock,
        newId: (p) => newId(p),
        driverId: me,
        seat: { take: () => takeLease(id, 'turn'), beatMs: timing.beatMs },
      },
      {
        model: setup.model,
        provider: setup.provider,
        systemPrompt: setup.systemPrompt,
        vision: setup.vision,
        structuredOutput: setup.structuredOutput,
      },
      { atTurnBoundary: (d, turn) => void manager.deliverResults(d, turn) },
    );
  }

  /**
   * Marks the session as driven here by someone else's loop (a workflow agent): until `done` is called,
   * evaluate() leaves it alone and a shutdown abandons its engine.
   */
  function lend(id: string, engine: AgentEngine): () => void {
    const slot = slotOf(id);
    let done!: () => void;
    slot.engine = engine;
    slot.driving = new Promise<void>((resolve) => {
      done = resolve;
    });
    return () => {
      slot.engine = undefined;
      slot.driving = undefined;
      done();
      mirrorStatus(id);
    };
  }

  /** Runs `run` with an engine of this host on the session, once at a time per session. */
  async function drive(id: string, run: (engine: AgentEngine) => Promise<unknown>): Promise<void> {
    const slot = slotOf(id);
    if (slot.driving) return;
    const doc = slot.handle.doc;
    const meta = getSessionMeta(doc);
    if (!meta) return;
    const engine = engineFor(id);
    if (engine instanceof Error) {
      o.log(`session ${id}: ${engine.message}`);
      return;
    }
    slot.engine = engine;
    slot.driving = (async () => {
      try {
        // A coder session belongs to the workspace it was first driven in.
        if (meta.kind === 'coder' && !meta.workspace) setSessionMeta(doc, { workspace: o.workspaceId });
        await run(engine);
      } catch (e) {
        if (!(e instanceof SessionBusyError)) o.log(`session ${id}: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        slot.engine = undefined;
        slot.driving = undefined;
        slot.activeAt = clock.now();
        mirrorStatus(id);
      }
    })();
    mirrorStatus(id);
    await slot.driving;
    void evaluate(id);
  }

  /** A subagent runs with its lead's model unless its lead asked for another (then on the lead's provider). */
  function modelMetaOf(meta: SessionMeta): SessionMeta {
    if (!meta.parentId || meta.provider) return meta;
    const lead = getSessionMeta(slotOf(meta.parentId).handle.doc);
    return {
      ...meta,
      model: meta.model ?? lead?.model,
      provider: lead?.provider,
      ...(lead?.modelBaseUrl ? { modelBaseUrl: lead.modelBaseUrl } : {}),
    };
  }

  /** Coalesces the evaluations a burst of doc changes asks for (a streaming answer is many transactions). */
  const soon = new Set<string>();
  function evaluateSoon(id: string): void {
    if (soon.has(id)) return;
    soon.add(id);
    setTimeout(() => {
      soon.delete(id);
      // Hooks look at every settled change of an open session (a turn's end, an approval asked, a child done).
      const slot = slots.get(id);
      if (slot) hooks.check(slot.handle.doc, 'session');
      void evaluate(id);
    }, 50);
  }

  /** Decides whether this host should drive the session now, and does. */
  async function evaluate(id: string): Promise<void> {
    if (closed) return;
    const slot = slotOf(id);
    if (slot.driving) return;
    await slot.handle.whenSynced;
    const doc = slot.handle.doc;
    const meta = getSessionMeta(doc);
    if (!meta) return;
    if (meta.kind === 'coder' && meta.workspace && meta.workspace !== o.workspaceId) return;
    if (unfinishedChildren(doc) && !manager.busyWith(id)) await adoptChildren(id);
    const demand = turnDemand(doc);
    if (demand === 'none') return;
    const verdict = watch.judge(`${id}/turn`, getLease(doc, 'turn'), me, { probe, connected: slot.handle.connected() });
    if (verdict !== 'free' && verdict !== 'abandoned' && verdict !== 'mine') return;
    await drive(id, (engine) => engine.resume());
  }

  function unfinishedChildren(doc: Y.Doc): boolean {
    return listSubagentRecords(doc).some((r) => !FINISHED.has(r.status));
  }

  /** A lead whose children lost their driver: this host takes its `subagents` lease and runs them. */
  async function adoptChildren(leadId: string): Promise<void> {
    const lead = slotOf(leadId).handle.doc;
    const open = listSubagentRecords(lead).filter((r) => !FINISHED.has(r.status));
    await Promise.all(open.map((r) => slotOf(r.id).handle.whenSynced));
    const alive = new Set(
      open
        .filter((r) => {
          const child = slotOf(r.id).handle;
          const v = watch.judge(`${r.id}/turn`, getLease(child.doc, 'turn'), me, {
            probe,
            connected: child.connected(),
          });
          return v === 'alive' || v === 'unknown' || (v === 'mine' && !!slots.get(r.id)?.driving);
        })
        .map((r) => r.id),
    );
    await ownChildren(leadId, () => manager.adopt(lead, (childId) => alive.has(childId)));
  }

  /** Reads the inbox: sessions that need a driver, and leads of unfinished children. */
  /** Sessions with work, or leads of unfinished children (queued children are `idle` in the index). */
  function wantedSessions(): Set<string> {
    const wanted = new Set<string>();
    for (const e of listSessions(space.doc, { includeArchived: true })) {
      if (INBOX_STATUSES.has(e.status)) wanted.add(e.id);
      if (e.parentId && (e.status === 'idle' || INBOX_STATUSES.has(e.status))) wanted.add(e.parentId);
    }
    return wanted;
  }

  const idleSlot = (id: string, wanted: Set<string>) =>
    !wanted.has(id) && !slots.get(id)?.driving && !manager.busyWith(id) && !pinned.has(id);

  /**
   * Closes a doc with nothing left to do (its provider and memory go), once the server has stored everything
   * written to it: closing first would drop the last writes (a child's end, a lead's wake-up).
   */
  const releasing = new Set<string>();
  async function releaseWhenStored(id: string): Promise<void> {
    const slot = slots.get(id);
    if (!slot || releasing.has(id)) return;
    releasing.add(id);
    try {
      await slot.handle.whenStored(STORED_WAIT_MS);
      if (slots.get(id) !== slot || !idleSlot(id, wantedSessions())) return;
      // The doc, not the index, has the last word: a turn waits here that the index lost (see LINGER_MS).
      if (turnDemand(slot.handle.doc) !== 'none') {
        mirrorStatus(id);
        void evaluate(id);
        return;
      }
      if (clock.now() - slot.activeAt < (o.lingerMs ?? LINGER_MS)) return;
      slot.off();
      slot.handle.release();
      slots.delete(id);
      watch.forget(`${id}/turn`);
    } finally {
      releasing.delete(id);
    }
  }

  function scan(): void {
    if (closed) return;
    const wanted = wantedSessions();
    for (const id of wanted) void evaluate(id);
    for (const id of slots.keys()) if (idleSlot(id, wanted)) void releaseWhenStored(id);
  }

  /** Index changes arrive inside transactions (often the manager's own): read the inbox once they settled. */
  let scanTimer: ReturnType<typeof setTimeout> | undefined;
  function scanSoon(): void {
    scanTimer ??= setTimeout(() => {
      scanTimer = undefined;
      scan();
    }, 50);
  }

  const workflows = createHostWorkflows({
    docs: o.docs,
    space,
    workspace: o.workspace,
    clock,
    log: o.log,
    takeLease: (handle) => takeLeaseOf(handle, 'run'),
    sessionDoc: (id) => slotOf(id).handle,
    engineFor,
    lend,
    checkHooks: (doc) => hooks.check(doc, 'run'),
  });
  const offIndex = observeSessions(space.doc, scanSoon);
  const offRuns = observeWorkflowRunIndex(space.doc, () => workflows.scan());
  const timer = setInterval(() => {
    scan();
    workflows.scan();
  }, o.scanMs ?? 1000);
  scan();
  workflows.scan();
  o.log(`Agent host ${o.hostId} is driving sessions for workspace ${o.workspaceName} (${o.workspaceId}).`);

  return {
    driverId: me,
    driving: () => [...slots.entries()].filter(([, s]) => s.driving).map(([id]) => id),
    drivingRuns: () => workflows.driving(),
    async idle() {
      for (;;) {
        const busy = [...slots.values()].map((s) => s.driving).filter((d): d is Promise<void> => !!d);
        if (!busy.length) return;
        await Promise.all(busy);
      }
    },
    hooksSettled: () => hooks.settled(),
    async close() {
      closed = true;
      clearInterval(timer);
      clearTimeout(scanTimer);
      offIndex();
      offRuns();
      await workflows.close();
      await hooks.close();
      // Let go of running turns without writing: the next driver (a tab, or this host restarted) resumes them.
      for (const slot of slots.values()) slot.engine?.abandon();
      await Promise.all([...slots.values()].map((s) => s.driving));
      for (const lease of subagentLeases.values()) lease.release();
      space.awareness.setLocalState(null);
      // The last writes (leases freed, statuses) reach the server before the sockets close.
      await Promise.all([...slots.values(), { handle: space }].map((s) => s.handle.whenStored(STORED_WAIT_MS)));
      for (const slot of slots.values()) {
        slot.off();
        slot.handle.release();
      }
      slots.clear();
      space.release();
    },
  };
}
