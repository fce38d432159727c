// One tool call as a compact, expandable card: tool, arguments, status and duration from its span,
// and the result. A call waiting for the user's approval (a question on its span, in the doc) shows
// Approve / Deny / Always allow inline, in every tab on every device; the first answer counts. A write to
// a control path (git's folder, the hooks file) says why it is dangerous, and has no Always allow.
// A finished command reads as a terminal, a file change as a diff; anything else as its JSON, folded.
import type { ApprovalAnswer, Message, Span, ToolCall } from '@boocode/shared/doc/session-schema';
import { useMemo } from 'react';
import { DiffBlock } from './DiffBlock.tsx';
import { FoldedText } from './FoldedText.tsx';
import { commandLineOf, TerminalBlock } from './TerminalBlock.tsx';
import {
  commandResult,
  commandState,
  commandStateLabel,
  fileChange,
  formatDuration,
  toolResultValue,
} from './tool-output.ts';
import './tool-card.css';

export interface ToolCardProps {
  call: ToolCall;
  span: Span | undefined;
  result: Message | undefined;
  onAnswer(spanId: string, answer: ApprovalAnswer): void;
}

export function ToolCard({ call, span, result, onAnswer }: ToolCardProps) {
  const approval = span?.status === 'awaiting-approval' && !span.approval?.answer ? span.approval : undefined;
  // Parsed once per result, not on every streamed delta of the conversation (a result can be ~40 KB of JSON).
  const resultText = result?.status === 'done' ? result.text : undefined;
  const spanOutput = span?.output;
  const spanStatus = span?.status;
  // biome-ignore lint/correctness/useExhaustiveDependencies: the strings and status are what the parse reads
  const { value, command, change } = useMemo(() => {
    const value = toolResultValue(span, result);
    const command = call.name === 'run_command' ? commandResult(value) : undefined;
    return { value, command, change: fileChange(call, value) };
  }, [resultText, spanOutput, spanStatus, call.name, call.arguments]);
  // A command that ran but timed out, was cancelled or exited non-zero is not "done": it says how it ended.
  const baseStatus = approval ? 'waiting' : (span?.status ?? (result ? result.status : 'pending'));
  const status = command && baseStatus === 'ok' && commandState(command) !== 'ok' ? commandState(command) : baseStatus;
  const label = command && status !== baseStatus ? commandStateLabel(command) : statusLabel(status);
  const error = span?.error ?? result?.error;
  const output = typeof span?.output === 'string' ? span.output : (result?.text ?? '');
  const pretty = value !== undefined ? JSON.stringify(value, null, 2) : output;
  return (
    <details
      className={`tool-card status-${status}`}
      data-testid="tool-card"
      data-tool={call.name}
      open={!!approval || status === 'open'}
    >
      <summary>
        <span className="tool-name">{call.name}</span>
        <code className="tool-args-brief">{briefArgs(call.arguments)}</code>
        <span className={`tag status-${status}`} data-testid="tool-status">
          {label}
        </span>
        {span?.endedAt !== undefined && (
          <span className="muted duration" title={waitTitle(span)}>
            {formatDuration(span.endedAt - (span.approval?.answeredAt ?? span.startedAt))}
          </span>
        )}
      </summary>
      <div className="tool-body">
        {/* A terminal or a diff already shows the arguments (the command line; the path and the change). */}
        {!command && !(change && !error) && (
          <>
            <div className="tool-section-label">Arguments</div>
            <pre className="tool-args">{prettyJson(call.arguments)}</pre>
          </>
        )}
        {approval && span && (
          <fieldset className={approval.danger ? 'approval danger' : 'approval'} data-testid="approval-card">
            <legend className="visually-hidden">Approve {call.name}</legend>
            {approval.danger ? (
              <p data-testid="approval-danger">
                <strong>Careful, this can run a program:</strong> {approval.reason}. Approve only if you expect this
                change.
              </p>
            ) : (
              <p>
                <strong>Needs your approval:</strong> {approval.reason}.
              </p>
            )}
            <div className="approval-actions">
              <button type="button" className="primary" onClick={() => onAnswer(span.id, 'approve')}>
                Approve
              </button>
              <button type="button" onClick={() => onAnswer(span.id, 'deny')}>
                Deny
              </button>
              {approval.canAlwaysAllow && (
                <button type="button" onClick={() => onAnswer(span.id, 'always')}>
                  Always allow
                </button>
              )}
            </div>
          </fieldset>
        )}
        {error && <p className="error-text">{error.message}</p>}
        {command ? (
          <TerminalBlock commandLine={commandLineOf(parseArgs(call.arguments))} result={command} />
        ) : change && !error ? (
          <DiffBlock diff={change} path={pathOf(call.arguments)} snippet={call.name === 'edit_file'} />
        ) : (
          pretty && (
            <>
              <div className="tool-section-label">
                {span?.status === 'open' ? 'Output so far' : 'Result'}
                {value === undefined && span?.outputTruncated ? ' (cut to the size cap)' : ''}
              </div>
              <FoldedText text={pretty} className="tool-output" testId="tool-output" />
            </>
          )
        )}
      </div>
    </details>
  );
}

function statusLabel(status: string): string {
  switch (status) {
    case 'open':
      return 'running';
    case 'ok':
    case 'done':
      return 'done';
    case 'waiting':
      return 'needs approval';
    default:
      return status;
  }
}

function briefArgs(raw: string): string {
  try {
    const v = JSON.parse(raw) as unknown;
    if (v && typeof v === 'object')
      return Object.entries(v)
        .map(([k, x]) => `${k}=${typeof x === 'string' ? x : JSON.stringify(x)}`)
        .join(' ')
        .slice(0, 80);
  } catch {
    // Unparseable arguments are shown raw.
  }
  return raw.slice(0, 80);
}

function pathOf(raw: string): string | undefined {
  const args = parseArgs(raw) as { path?: unknown } | undefined;
  return typeof args?.path === 'string' ? args.path : undefined;
}

function parseArgs(raw: string): unknown {
  try {
    return JSON.parse(raw);
  } catch {
    return undefined;
  }
}

function prettyJson(raw: string): string {
  try {
    return JSON.stringify(JSON.parse(raw), null, 2);
  } catch {
    return raw;
  }
}

/** The time a call waited for the user, kept apart from the time it ran. */
function waitTitle(span: Span): string | undefined {
  const a = span.approval;
  if (a?.answeredAt === undefined) return undefined;
  return `waited ${formatDuration(a.answeredAt - a.askedAt)} for approval, then ran`;
}
