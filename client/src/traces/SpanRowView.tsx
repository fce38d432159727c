// One row of the waterfall: indent by depth, kind, name, outcome, latency, a bar on the shared time axis,
// and (for model calls) the token breakdown and cost. Expanded, it shows the span's details. A span that
// started a child session has a button that nests the child's spans under it.
import type { Attachment, Span, SpanKind } from '@boocode/shared/doc/session-schema';
import { memo } from 'react';
import type * as Y from 'yjs';
import './child-traces.css';
import { SpanDetails } from './SpanDetails.tsx';
import { formatCost, formatDuration, formatTokens } from './span-format.ts';
import { approvalWait, barGeometry, type SpanRow, spanDuration, type TimeAxis } from './span-rows.ts';
import { STATE_LABEL, spanState } from './span-state.ts';

const KIND_LABEL: Record<SpanKind, string> = {
  model: 'model',
  tool: 'tool',
  autofix: 'auto-fix',
  subagent: 'subagent',
  'workflow-agent': 'workflow agent',
};

const INDENT_PX = 12;

export interface SpanRowProps {
  row: SpanRow;
  index: number;
  axis: TimeAxis;
  now: number;
  expanded: boolean;
  active: boolean;
  cost: number | undefined;
  measure: (el: HTMLElement | null) => void;
  start: number;
  onSelect: (index: number, toggle: boolean) => void;
  /** Unset for a span of a nested child session: the chat beside the pane has no message of it. */
  onJump?: ((span: Span) => void) | undefined;
  /** Whether the child session this span started is shown nested; unset when it started none. */
  childOpen?: boolean | undefined;
  /** While nested open: why no child rows show (loading, not on this device, no spans yet). */
  childNote?: string | undefined;
  onToggleChild: (key: string, open?: boolean) => void;
  /** Model calls: the images the turn's user message sent (shown as thumbnails when expanded). */
  imageInputs?: Attachment[] | undefined;
  /** The pane's own session doc, for its own spans: a model call's details list the messages it was sent. */
  doc?: Y.Doc | undefined;
}

export const SpanRowView = memo(function SpanRowView(p: SpanRowProps) {
  const { span, depth, key } = p.row;
  const onJump = p.onJump;
  const { left, width } = barGeometry(span, p.axis, p.now);
  const wait = approvalWait(span, p.now);
  const waitBar = wait && barGeometry({ ...span, startedAt: wait.start, endedAt: wait.end }, p.axis, p.now);
  const state = spanState(span);
  // Under a turn row, one level deeper than its depth in the session.
  const level = depth + (p.row.turnKey !== undefined ? 1 : 0);
  return (
    <div
      ref={p.measure}
      data-index={p.index}
      id={rowDomId(key)}
      role="treeitem"
      tabIndex={-1}
      aria-level={level + 1}
      aria-expanded={p.expanded}
      aria-selected={p.active}
      data-testid="span-row"
      data-span-id={span.id}
      data-session-id={p.row.sessionId}
      data-child-session-id={span.childSessionId}
      data-status={span.status}
      data-kind={span.kind}
      data-depth={depth}
      data-turn-key={p.row.turnKey}
      className={`span-row status-${span.status}${p.active ? ' active' : ''}`}
      style={{ transform: `translateY(${p.start}px)` }}
    >
      {/* biome-ignore lint/a11y/useKeyWithClickEvents: the tree container handles the keyboard (arrows, Enter) */}
      {/* biome-ignore lint/a11y/noStaticElementInteractions: a mouse shortcut for what Enter does on the tree */}
      <div className="span-line" onClick={() => p.onSelect(p.index, true)}>
        <div className="span-label" style={{ paddingLeft: level * INDENT_PX }}>
          <span className="span-caret" aria-hidden>
            {p.expanded ? '▾' : '▸'}
          </span>
          {p.childOpen !== undefined && (
            <button
              type="button"
              className="span-child-toggle"
              data-testid="span-child-toggle"
              aria-expanded={p.childOpen}
              title={p.childOpen ? 'Hide its spans' : 'Show its spans nested here'}
              aria-label={`${p.childOpen ? 'Hide' : 'Show'} the spans of ${span.name}`}
              onClick={(e) => {
                // The row's own click toggles its details; this button only nests the child.
                e.stopPropagation();
                p.onToggleChild(key);
              }}
            >
              {p.childOpen ? '−' : '+'}
            </button>
          )}
          <span className={`span-kind kind-${span.kind}`}>{KIND_LABEL[span.kind]}</span>
          <span className="span-name" title={span.name}>
            {span.name}
          </span>
          {state !== 'ok' && (
            <span className={`tag span-status status-${state}`} data-testid="span-status">
              {STATE_LABEL[state]}
            </span>
          )}
          <span className="span-latency" data-testid="span-latency">
            {formatDuration(spanDuration(span, p.now))}
          </span>
        </div>
        <div className="span-track">
          <div
            className={`span-bar kind-${span.kind} status-${span.status}`}
            data-testid="span-bar"
            style={{ left: `${left * 100}%`, width: `${width * 100}%` }}
          />
          {waitBar && wait && (
            <div
              className="span-bar span-wait"
              data-testid="span-approval-wait"
              title={`Waited ${formatDuration(wait.end - wait.start)} for approval`}
              style={{ left: `${waitBar.left * 100}%`, width: `${waitBar.width * 100}%` }}
            />
          )}
        </div>
        <div className="span-sub" style={{ paddingLeft: level * INDENT_PX + 14 }}>
          {p.childNote ? (
            <span className="muted" data-testid="span-child-note">
              {p.childNote}
            </span>
          ) : (
            <SpanSubline span={span} cost={p.cost} nested={p.row.children} />
          )}
        </div>
      </div>
      {p.expanded && (
        <SpanDetails
          span={span}
          now={p.now}
          onJump={onJump ? () => onJump(span) : undefined}
          imageInputs={p.imageInputs}
          doc={p.doc}
        />
      )}
    </div>
  );
});

/** The DOM id of a row, from its key (a span id, or a path of ids for a nested child's span). */
export function rowDomId(key: string): string {
  return `span-row-${key}`;
}

/** The second line: tokens and cost for a model call, a glimpse of the input for the others. */
function SpanSubline({ span, cost, nested }: { span: Span; cost: number | undefined; nested: number }) {
  if (span.kind !== 'model') {
    if (span.error) return <span className="error-text">{span.error.message}</span>;
    if (span.status === 'awaiting-approval') return <span className="muted">waiting for your approval</span>;
    if (span.input === undefined && nested > 0) {
      return <span className="muted">{nested === 1 ? '1 call inside' : `${nested} calls inside`}</span>;
    }
    return <span className="muted">{glimpse(span.input)}</span>;
  }
  const u = span.usage;
  if (!u) return <span className="muted">{span.status === 'open' ? 'waiting for usage…' : 'no usage recorded'}</span>;
  if (!u.reported) return <span className="muted">usage not reported</span>;
  return (
    <span className="span-tokens" data-testid="span-tokens">
      <span title="Prompt tokens">in {formatTokens(u.prompt)}</span>
      {u.cacheHit !== undefined ? (
        <span className="cache-split" title="Prompt tokens served from the cache / not">
          {' '}
          (<span className="hit">hit {formatTokens(u.cacheHit)}</span> /{' '}
          <span className="miss">miss {formatTokens(u.cacheMiss ?? u.prompt - u.cacheHit)}</span>)
        </span>
      ) : (
        <span className="muted"> (cache not reported)</span>
      )}
      <span title="Completion tokens"> · out {formatTokens(u.completion)}</span>
      {u.reasoning > 0 && <span title="Reasoning tokens"> · reasoning {formatTokens(u.reasoning)}</span>}
      {cost !== undefined && <span title="Cost"> · {formatCost(cost)}</span>}
    </span>
  );
}

function glimpse(input: unknown): string {
  if (input === undefined) return '';
  let text: string;
  try {
    text = typeof input === 'string' ? input : JSON.stringify(input);
  } catch {
    text = String(input);
  }
  return text.length > 90 ? `${text.slice(0, 87)}…` : text;
}
