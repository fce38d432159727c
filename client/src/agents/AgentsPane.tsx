// The Agents pane: this session's subagents (and workflow agents), then those of other sessions (running first),
// live from the space index, the parent's subagent records and each child's own spans (tokens, cost, last
// activity). Each row opens the child's session or its trace; unfinished ones can be cancelled here, one or all.

import { listSubagentRecords, observeSubagentRecords } from '@boocode/shared/agent/subagents/subagent-records';
import { usageTotals } from '@boocode/shared/agent/turn-snapshot';
import { listSessions, observeSessions, type SessionIndexEntry } from '@boocode/shared/doc/space';
import { Link } from '@tanstack/react-router';
import { type ReactNode, useEffect, useState } from 'react';
import type * as Y from 'yjs';
import { useServices } from '../docs/doc-context.tsx';
import { formatClock, formatCost, formatDuration, formatTokens } from '../traces/span-format.ts';
import { ensureSubagentManager, openSessionHandle } from './subagents.ts';
import { WorktreeReview } from './WorktreeReview.tsx';
import './agents.css';

const LIVE = new Set(['queued', 'running', 'waiting-approval']);
/** Rows from other sessions shown at most (running ones first, then the newest finished). */
const OTHER_LIMIT = 20;

/** Re-renders on index and record changes, and each second while something runs (elapsed time). */
function useAgentsTick(doc: Y.Doc | undefined): void {
  const { space } = useServices();
  const [, setTick] = useState(0);
  useEffect(() => {
    const bump = () => setTick((t) => t + 1);
    const offSpace = observeSessions(space, bump);
    const offDoc = doc ? observeSubagentRecords(doc, bump) : undefined;
    const timer = setInterval(bump, 1000);
    return () => {
      offSpace();
      offDoc?.();
      clearInterval(timer);
    };
  }, [space, doc]);
}

interface AgentRowData {
  entry: SessionIndexEntry;
  status: string;
  startedAt: number;
  endedAt?: number;
  parentTitle?: string;
}

export function AgentsPane({ sessionId, doc }: { sessionId: string; doc: Y.Doc | undefined }) {
  const services = useServices();
  const manager = ensureSubagentManager(services);
  useAgentsTick(doc);
  const all = listSessions(services.space, { includeArchived: true });
  const byId = new Map(all.map((e) => [e.id, e]));
  const records = new Map((doc ? listSubagentRecords(doc) : []).map((r) => [r.id, r]));
  const rowOf = (e: SessionIndexEntry): AgentRowData => {
    const r = records.get(e.id);
    // A running child whose call waits for the user says so in the index (its driver mirrors its approvals).
    const status = r?.status === 'running' && e.status === 'waiting-approval' ? e.status : (r?.status ?? e.status);
    return {
      entry: e,
      status,
      startedAt: r?.startedAt ?? e.createdAt,
      endedAt: r?.endedAt ?? (LIVE.has(status) || status === 'idle' ? undefined : e.updatedAt),
      // Rows of other sessions say whose they are; this session's rows need not.
      parentTitle: e.parentId && e.parentId !== sessionId ? byId.get(e.parentId)?.title : undefined,
    };
  };
  const mine = all
    .filter((e) => e.parentId === sessionId)
    .sort((a, b) => a.createdAt - b.createdAt)
    .map(rowOf);
  const others = all
    .filter((e) => e.parentId !== undefined && e.parentId !== sessionId)
    .map(rowOf)
    .sort((a, b) => Number(LIVE.has(b.status)) - Number(LIVE.has(a.status)) || b.entry.updatedAt - a.entry.updatedAt)
    .slice(0, OTHER_LIMIT);
  const anyLive = mine.some((r) => LIVE.has(r.status));

  if (!mine.length && !others.length)
    return (
      <p className="empty-state" data-testid="agents-empty">
        No subagents yet. When the agent calls spawn_subagent, or a workflow starts agents, they are listed here with
        their status, tokens and cost.
      </p>
    );
  return (
    <div className="agents-pane" data-testid="agents-pane">
      <div className="agents-head">
        <h3>This session</h3>
        {anyLive && (
          <button type="button" data-testid="agents-cancel-all" onClick={() => manager.cancelAll(sessionId)}>
            Cancel all
          </button>
        )}
      </div>
      {mine.length ? (
        <ul className="agents-list" data-testid="agents-mine">
          {mine.map((r) => (
            <AgentRow key={r.entry.id} row={r} onCancel={() => manager.cancel(r.entry.id)}>
              {doc && <WorktreeReview parentDoc={doc} childId={r.entry.id} manager={manager} />}
            </AgentRow>
          ))}
        </ul>
      ) : (
        <p className="muted">This session has started no agents.</p>
      )}
      <h3>Other sessions</h3>
      {others.length ? (
        <ul className="agents-list" data-testid="agents-others">
          {others.map((r) => (
            <AgentRow key={r.entry.id} row={r} onCancel={() => manager.cancel(r.entry.id)} />
          ))}
        </ul>
      ) : (
        <p className="muted">No agents in other sessions.</p>
      )}
    </div>
  );
}

function AgentRow({ row, onCancel, children }: { row: AgentRowData; onCancel(): void; children?: ReactNode }) {
  const services = useServices();
  const { entry, status, parentTitle } = row;
  // The child's own spans say what it cost; its doc stays open for the tab (the manager shares the handle).
  const child = openSessionHandle(services, entry.id).doc;
  const usage = usageTotals(child);
  const tokens = usage.prompt + usage.completion;
  const live = LIVE.has(status);
  const elapsed = (row.endedAt ?? Date.now()) - row.startedAt;
  return (
    <li className="agent-row" data-testid="agent-row" data-status={status} data-label={entry.label ?? entry.title}>
      <div className="agent-main">
        <strong>{entry.label ?? entry.title}</strong>
        <span className={`tag status-${status}`} data-testid="agent-status">
          {status}
        </span>
        {live && (
          <button
            type="button"
            className="link-button"
            onClick={onCancel}
            data-testid="agent-cancel"
            aria-label={`Cancel ${entry.label ?? entry.title}`}
          >
            Cancel
          </button>
        )}
      </div>
      <div className="agent-meta muted">
        {parentTitle && <span>from {parentTitle} · </span>}
        <span data-testid="agent-elapsed">{formatDuration(elapsed)}</span>
        <span data-testid="agent-tokens"> · {formatTokens(tokens)} tokens</span>
        {usage.cost > 0 && <span> · {formatCost(usage.cost)}</span>}
        <span> · last activity {formatClock(entry.updatedAt)}</span>
      </div>
      <div className="agent-links">
        <Link to="/s/$sessionId" params={{ sessionId: entry.id }} data-testid="agent-open">
          Open session
        </Link>
        <Link to="/s/$sessionId" params={{ sessionId: entry.id }} search={{ pane: 'traces' }} data-testid="agent-trace">
          Trace
        </Link>
      </div>
      {children}
    </li>
  );
}
