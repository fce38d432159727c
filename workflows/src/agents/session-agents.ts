// The agents of a workflow run as sessions, wherever the run is driven (a tab, the agent host): every
// agent() becomes a child session of the session the run was started from (of its kind: a coder session's
// agents get the runner's tools; its label in the session index), and runs one AgentEngine turn there with
// that session's model, so its model calls are spans the trace viewer shows. Its calls that need the user
// wait on their spans in the child's doc, answerable from any tab on any device.
// A schema re-ask is another turn in the same child session. After its driver died, an agent that was
// mid-turn is resumed in its own child session (the engine's resume), never started twice. The driver gives
// the docs and the engine (its own seat, tools and model); the rest is here.
import type { AgentEngine, TurnResult } from '@boocode/shared/agent/agent-engine';
import { getRunState, initSessionMeta, listMessages, observeSession } from '@boocode/shared/doc/session';
import { getSessionEntry, putSessionEntry, type SessionStatus, updateSessionEntry } from '@boocode/shared/doc/space';
import { closeSpan, listSpans, openSpan } from '@boocode/shared/doc/spans';
import { setAgentActivity } from '@boocode/shared/doc/workflow-run';
import { newId } from '@boocode/shared/ids';
import type * as Y from 'yjs';
import type { AgentReply, AgentRunSpec } from '../engine/agent-contract.ts';
import { replyOf, turnInputFor } from '../engine/agent-turn.ts';
import type { AgentHost } from '../worker/workflow-worker-api.ts';

/** A session doc held open by the driver's doc store (the same instance per id while held). */
export interface HeldSessionDoc {
  doc: Y.Doc;
  whenLoaded: Promise<void>;
  /** Resolves once the server's copy has arrived (at once with no server); absent where whenLoaded is that. */
  whenSynced?: Promise<unknown>;
  release(): void;
}

export interface SessionAgentDeps {
  /** Opens a session doc in the driver's doc store. */
  openSession(id: string): HeldSessionDoc;
  /**
   * The engine that drives an agent's child session here (the driver's seat, the session's tools and model);
   * `untrack` (optional) is called once the agent is done with it.
   */
  engineFor(childId: string, doc: Y.Doc): Promise<{ engine: AgentEngine; untrack?: () => void }>;
  space: Y.Doc;
  runDoc: Y.Doc;
  /** The session the run was started from: parent of every agent's session. */
  sessionId: string;
  workflowName: string;
  /** The parent session's model, so agents run with the session's settings. */
  model?: string;
  provider?: string;
  /** The parent's keyless model server reached directly, if any (so a host can call it too). */
  modelBaseUrl?: string;
  /** Child sessions of agents that were mid-turn when the last driver died, by the agent's prompt. */
  inFlight?: Map<string, string>;
}

/** How often an agent's latest words are copied into the run doc (a frame is too often for a synced doc). */
const ACTIVITY_EVERY_MS = 400;

/** The agents of one run; `abandon` lets go of every running agent without writing (lease lost, shutdown). */
export function createSessionAgents(deps: SessionAgentDeps): AgentHost & { abandon(): void } {
  const children = new Map<string, string>();
  const engines = new Map<string, AgentEngine>();
  const aborted = new Set<string>();
  return {
    async run(spec) {
      if (aborted.has(spec.agentId)) return null;
      const resumed = spec.attempt === 1 ? deps.inFlight?.get(spec.prompt) : undefined;
      if (resumed) deps.inFlight?.delete(spec.prompt);
      const childId = resumed ?? children.get(spec.agentId) ?? (await createChildSession(deps, spec));
      children.set(spec.agentId, childId);
      const handle = deps.openSession(childId);
      const stopWatching = watchActivity(deps.runDoc, spec.agentId, childId, handle.doc);
      const parentSpan = await openAgentSpan(deps, spec, childId);
      let reply: AgentReply | null = null;
      let failure: unknown;
      let untrack: (() => void) | undefined;
      try {
        await handle.whenLoaded;
        // A resumed agent's session was written by the driver that died, maybe never on this device: its turn
        // is in the server's copy. Resumed from the local copy alone, it would find no turn and no answer.
        if (resumed) await handle.whenSynced;
        const made = await deps.engineFor(childId, handle.doc);
        untrack = made.untrack;
        if (aborted.has(spec.agentId)) return null;
        const engine = made.engine;
        engines.set(spec.agentId, engine);
        setChildStatus(deps.space, childId, 'running');
        // A driver that died before it wrote the agent's prompt (it was still taking the lease) left a
        // session with no turn: there is nothing to resume, and asking now cannot ask twice.
        const started = getRunState(handle.doc).turn > 0;
        const result: TurnResult | undefined =
          resumed && started ? await engine.resume() : await engine.runTurn(turnInputFor(spec));
        reply = replyOf(handle.doc, result, childId);
        return reply;
      } catch (err) {
        failure = err;
        throw err;
      } finally {
        parentSpan.close(reply, failure);
        engines.delete(spec.agentId);
        stopWatching();
        setChildStatus(deps.space, childId, aborted.has(spec.agentId) ? 'cancelled' : 'done');
        untrack?.();
        handle.release();
      }
    },
    abort(_runId, agentId) {
      aborted.add(agentId);
      engines.get(agentId)?.cancel();
    },
    abandon() {
      for (const [agentId, engine] of engines) {
        aborted.add(agentId);
        engine.abandon();
      }
    },
  };
}

/**
 * The agent as a `workflow-agent` span in the session the run was started from, so the trace viewer
 * shows it (linked to the child session's own trace). A resumed agent keeps the span it already has.
 */
async function openAgentSpan(deps: SessionAgentDeps, spec: AgentRunSpec, childSessionId: string) {
  const handle = deps.openSession(deps.sessionId);
  await handle.whenLoaded;
  const doc = handle.doc;
  const existing = listSpans(doc).find((s) => s.childSessionId === childSessionId && s.status === 'open');
  const id =
    existing?.id ??
    openSpan(doc, {
      id: newId('spn'),
      kind: 'workflow-agent',
      name: `${deps.workflowName} · ${spec.options.label ?? spec.agentId}`,
      turn: getRunState(doc).turn,
      startedAt: Date.now(),
      input: { prompt: spec.prompt.slice(0, 2000), attempt: spec.attempt },
      childSessionId,
    }).id;
  return {
    close(reply: AgentReply | null, failure: unknown) {
      try {
        if (failure !== undefined) {
          const message = failure instanceof Error ? failure.message : String(failure);
          closeSpan(doc, id, { status: 'error', endedAt: Date.now(), error: { code: 'AGENT_FAILED', message } });
        } else if (!reply) {
          closeSpan(doc, id, { status: 'cancelled', endedAt: Date.now() });
        } else {
          closeSpan(doc, id, {
            status: 'ok',
            endedAt: Date.now(),
            output: { text: reply.text.slice(0, 2000), tokens: reply.usage.tokens },
          });
        }
      } finally {
        handle.release();
      }
    },
  };
}

async function createChildSession(deps: SessionAgentDeps, spec: AgentRunSpec): Promise<string> {
  const now = Date.now();
  const id = newId('ses', now);
  const label = spec.options.label ?? spec.agentId;
  const title = `${deps.workflowName} · ${label}`;
  const kind = getSessionEntry(deps.space, deps.sessionId)?.kind ?? 'chat';
  const handle = deps.openSession(id);
  try {
    await handle.whenLoaded;
    initSessionMeta(handle.doc, {
      id,
      title,
      kind,
      createdAt: now,
      parentId: deps.sessionId,
      ...(deps.model ? { model: spec.options.model ?? deps.model } : {}),
      ...(deps.provider ? { provider: deps.provider } : {}),
      ...(deps.modelBaseUrl ? { modelBaseUrl: deps.modelBaseUrl } : {}),
    });
  } finally {
    handle.release();
  }
  deps.space.transact(() =>
    putSessionEntry(deps.space, {
      id,
      title,
      kind,
      status: 'idle',
      parentId: deps.sessionId,
      label,
      createdAt: now,
      updatedAt: now,
    }),
  );
  return id;
}

function setChildStatus(space: Y.Doc, id: string, status: SessionStatus): void {
  space.transact(() => updateSessionEntry(space, id, { status, updatedAt: Date.now() }));
}

/** Copies the child session's latest words into the run doc, at most every ACTIVITY_EVERY_MS. */
function watchActivity(runDoc: Y.Doc, agentId: string, childSessionId: string, child: Y.Doc): () => void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const write = () => {
    timer = undefined;
    const last = listMessages(child).at(-1);
    const text = last && last.role !== 'user' ? last.text.slice(-160) : undefined;
    setAgentActivity(runDoc, agentId, { childSessionId, text, at: Date.now() });
  };
  write();
  const stop = observeSession(child, () => {
    timer ??= setTimeout(write, ACTIVITY_EVERY_MS);
  });
  return () => {
    stop();
    if (timer !== undefined) clearTimeout(timer);
    write();
  };
}
