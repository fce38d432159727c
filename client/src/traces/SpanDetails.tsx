// The expanded part of a waterfall row: timing, tokens, error, and the span's input and output as
// pretty JSON with long text folded.
import type { Attachment, Span } from '@boocode/shared/doc/session-schema';
import { Link } from '@tanstack/react-router';
import { useState } from 'react';
import { MessageAttachments } from '../attachments/MessageAttachments.tsx';
import { formatClock, formatDuration, STATUS_LABEL } from './span-format.ts';
import { spanDuration } from './span-rows.ts';

const FOLD_LINES = 14;
const FOLD_CHARS = 1500;

export function SpanDetails({
  span,
  now,
  onJump,
  imageInputs,
}: {
  span: Span;
  now: number;
  onJump?: () => void;
  imageInputs?: Attachment[] | undefined;
}) {
  return (
    <div className="span-details" data-testid="span-details">
      <dl className="span-timing">
        <dt>Status</dt>
        <dd>{STATUS_LABEL[span.status]}</dd>
        <dt>Started</dt>
        <dd>{formatClock(span.startedAt)}</dd>
        <dt>{span.status === 'open' ? 'Running for' : 'Took'}</dt>
        <dd>{formatDuration(spanDuration(span, now))}</dd>
        {span.endedAt !== undefined && (
          <>
            <dt>Ended</dt>
            <dd>{formatClock(span.endedAt)}</dd>
          </>
        )}
        <dt>Turn</dt>
        <dd>{span.turn}</dd>
        {span.model && (
          <>
            <dt>Model</dt>
            <dd>{span.model}</dd>
          </>
        )}
      </dl>
      {span.error && (
        <p className="error-text" data-testid="span-error">
          {span.error.code}: {span.error.message}
        </p>
      )}
      {(span.messageId || span.toolCallId) && onJump && (
        <button type="button" className="link-button" onClick={onJump}>
          Show message in chat
        </button>
      )}
      {span.childSessionId && (
        <Link
          to="/s/$sessionId"
          params={{ sessionId: span.childSessionId }}
          search={{ pane: 'traces' }}
          className="link-button"
        >
          Open the {span.kind === 'subagent' ? 'subagent' : 'agent'}'s own trace →
        </Link>
      )}
      {imageInputs && imageInputs.length > 0 && (
        <div className="span-images" data-testid="span-image-inputs">
          <span className="muted">Image inputs</span>
          <MessageAttachments attachments={imageInputs} />
        </div>
      )}
      {span.input !== undefined && <JsonBlock label="Input" value={span.input} />}
      {span.output !== undefined && (
        <JsonBlock label={span.outputTruncated ? 'Output (cut to the size cap)' : 'Output'} value={span.output} />
      )}
    </div>
  );
}

function pretty(value: unknown): string {
  if (typeof value === 'string') {
    // Tool arguments arrive as JSON text: show them parsed when they are.
    try {
      return JSON.stringify(JSON.parse(value), null, 2);
    } catch {
      return value;
    }
  }
  try {
    return JSON.stringify(value, null, 2) ?? String(value);
  } catch {
    return String(value);
  }
}

function JsonBlock({ label, value }: { label: string; value: unknown }) {
  const text = pretty(value);
  return (
    <div className="span-io">
      <div className="span-io-label">{label}</div>
      <FoldedText text={text} />
    </div>
  );
}

export function FoldedText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.split('\n');
  const long = lines.length > FOLD_LINES || text.length > FOLD_CHARS;
  const shown = open || !long ? text : lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS);
  return (
    <>
      <pre className="span-json">{shown}</pre>
      {long && (
        <button type="button" className="link-button" onClick={() => setOpen(!open)}>
          {open ? 'Fold' : `Show all (${lines.length} lines, ${text.length.toLocaleString()} chars)`}
        </button>
      )}
    </>
  );
}
