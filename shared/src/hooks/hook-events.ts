// Hook events, derived from doc state alone so every host that looks computes the same event ids (as the
// notifications do in a tab): `turn.done:<session>:<turn>`, `approval.waiting:<span>`,
// `subagent.done:<child>`, `workflow.failed:<run>:<attempt>`. Each event names the driver whose work made it
// (the holder of the lease it happened under): only that host fires it, so a second host never does, and a tab
// never fires hooks at all.
import { listSubagentRecords } from '../agent/subagents/subagent-records.ts';
import { getLease } from '../doc/lease.ts';
import { getRunState, getSessionMeta, listMessages } from '../doc/session.ts';
import { listAwaitingApprovals, listSnapshots } from '../doc/spans.ts';
import { getWorkflowRun } from '../doc/workflow-run.ts';
import type { HookEventName } from './hook-config.ts';

export interface HookEvent {
  id: string;
  event: HookEventName;
  /** When it happened, by the clock of the driver that wrote it. */
  at: number;
  /** The driver whose lease it happened under; undefined when the doc does not say. */
  firer: string | undefined;
  sessionId: string;
  /** What the POST body and the log carry besides the ids. */
  data: Record<string, string | number | undefined>;
}

/** Turns that ended and tool calls waiting for an answer, in a session doc. */
export function sessionHookEvents(doc: import('yjs').Doc): HookEvent[] {
  const meta = getSessionMeta(doc);
  if (!meta) return [];
  const firer = getLease(doc, 'turn')?.holder ?? getRunState(doc).driver;
  const events: HookEvent[] = [];
  const run = getRunState(doc);
  // A turn is done when its snapshot is written and nothing waits: a turn that stopped for an approval has an
  // `interrupted` snapshot and ends later under the same number.
  const ended = new Map<number, { at: number; outcome: string }>();
  for (const s of listSnapshots(doc))
    if (s.outcome !== 'interrupted') ended.set(s.turn, { at: s.at, outcome: s.outcome });
  // Read once: a host calls this on every settled change of a session, long ones included.
  const lastAnswer = new Map<number, string>();
  if (ended.size) for (const m of listMessages(doc)) if (m.role === 'assistant') lastAnswer.set(m.turn, m.text);
  for (const [turn, end] of ended) {
    if (turn === run.turn && run.status !== 'idle') continue;
    const answer = lastAnswer.get(turn);
    events.push({
      id: `turn.done:${meta.id}:${turn}`,
      event: 'turn.done',
      at: end.at,
      firer,
      sessionId: meta.id,
      data: { turn, outcome: end.outcome, title: meta.title, answer: answer?.slice(0, 2000) },
    });
  }
  for (const span of listAwaitingApprovals(doc)) {
    if (span.status !== 'awaiting-approval' || !span.approval) continue;
    events.push({
      id: `approval.waiting:${span.id}`,
      event: 'approval.waiting',
      at: span.approval.askedAt,
      firer,
      sessionId: meta.id,
      data: { spanId: span.id, tool: span.name, reason: span.approval.reason, title: meta.title },
    });
  }
  return events;
}

/** Subagents of a lead that finished or failed, from the lead's records (its `subagents` lease ran them). */
export function subagentHookEvents(lead: import('yjs').Doc): HookEvent[] {
  const meta = getSessionMeta(lead);
  if (!meta) return [];
  const firer = getLease(lead, 'subagents')?.holder;
  return listSubagentRecords(lead)
    .filter((r) => r.status === 'done' || r.status === 'failed')
    .map((r) => {
      const event = r.status === 'done' ? 'subagent.done' : 'subagent.failed';
      return {
        id: `${event}:${r.id}`,
        event,
        at: r.endedAt ?? r.queuedAt,
        firer,
        sessionId: meta.id,
        data: { childSessionId: r.id, label: r.label, result: r.result?.slice(0, 2000), error: r.error?.message },
      };
    });
}

/** A workflow run's attempt that completed or failed (a stop is the user's own doing). */
export function workflowHookEvents(runDoc: import('yjs').Doc): HookEvent[] {
  const run = getWorkflowRun(runDoc);
  if (!run || (run.status !== 'completed' && run.status !== 'failed')) return [];
  const event = run.status === 'completed' ? 'workflow.done' : 'workflow.failed';
  return [
    {
      id: `${event}:${run.runId}:${run.attempts}`,
      event,
      at: run.startedAt ?? 0,
      firer: getLease(runDoc, 'run')?.holder,
      sessionId: run.sessionId,
      data: { runId: run.runId, workflow: run.workflowName, error: run.outcome?.error?.message },
    },
  ];
}
