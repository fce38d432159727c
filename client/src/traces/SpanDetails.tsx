// The expanded part of a waterfall row: timing, tokens, error, and the span's input and output as
// pretty JSON with long text folded.
import type { Attachment, Span } from '@boocode/shared/doc/session-schema';
import { Link } from '@tanstack/react-router';
import type * as Y from 'yjs';
import { MessageAttachments } from '../attachments/MessageAttachments.tsx';
import { ModelRequest } from './ModelRequest.tsx';
import { FoldedText } from './SpanFoldedText.tsx';
import { formatClock, formatDuration, STATUS_LABEL } from './span-format.ts';
import { spanDuration } from './span-rows.ts';

export function SpanDetails({
  span,
  now,
  onJump,
  imageInputs,
  doc,
}: {
  span: Span;
  now: number;
  onJump?: () => void;
  imageInputs?: Attachment[] | undefined;
  /** The session the span belongs to, when at hand: a model call lists the messages it was sent. */
  doc?: Y.Doc | undefined;
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
      {span.kind === 'model' && <ModelRequest span={span} doc={doc} />}
      {span.input !== undefined && (
        <JsonBlock label={span.kind === 'model' ? 'Request summary' : 'Input'} value={span.input} />
      )}
      {span.output !== undefined && (
        <JsonBlock
          label={`${span.kind === 'model' ? 'Response' : 'Output'}${span.outputTruncated ? ' (cut to the size cap)' : ''}`}
          value={span.output}
        />
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
