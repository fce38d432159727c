// A model call opened up: what it was sent — the prompt's segments with their token counts (the cache
// pane's segments), the system prompt as recorded, the messages and the tools offered — beside the response
// the details show. The span keeps a summary; the messages come from the session doc they were sent from.
import { listMessages } from '@boocode/shared/doc/session';
import type { Span } from '@boocode/shared/doc/session-schema';
import { useMemo } from 'react';
import type * as Y from 'yjs';
import { SEGMENT_LABEL } from '../cache/prompt-segments.ts';
import { FoldedText } from './SpanFoldedText.tsx';
import { formatTokens } from './span-format.ts';
import { requestMessages } from './span-messages.ts';

export function ModelRequest({ span, doc }: { span: Span; doc: Y.Doc | undefined }) {
  const segments = span.segments ?? [];
  const total = segments.reduce((n, s) => n + s.tokens, 0);
  const messages = useMemo(() => (doc ? requestMessages(listMessages(doc), span) : []), [doc, span]);
  const tools = toolNamesOf(span.input);
  const system = segments.find((s) => s.kind === 'system')?.preview;
  return (
    <div className="model-request" data-testid="model-request">
      <div className="span-io-label">Request</div>
      {segments.length > 0 ? (
        <table className="segment-table" data-testid="request-segments">
          <thead>
            <tr>
              <th scope="col">Segment</th>
              <th scope="col">Tokens</th>
              <th scope="col">Share</th>
            </tr>
          </thead>
          <tbody>
            {segments.map((s, i) => (
              // biome-ignore lint/suspicious/noArrayIndexKey: segments have a fixed order and no id of their own
              <tr key={i}>
                <td>
                  <i className={`seg seg-${s.kind}`} aria-hidden /> {SEGMENT_LABEL[s.kind]}
                </td>
                <td>{formatTokens(s.tokens)}</td>
                <td>{total > 0 ? `${Math.round((s.tokens / total) * 100)}%` : '–'}</td>
              </tr>
            ))}
          </tbody>
          <tfoot>
            <tr>
              <th scope="row">Estimated</th>
              <td>{formatTokens(total)}</td>
              <td>{span.usage?.reported ? `provider: ${formatTokens(span.usage.prompt)}` : ''}</td>
            </tr>
          </tfoot>
        </table>
      ) : (
        <p className="muted">No prompt segments were recorded for this call.</p>
      )}
      {system !== undefined && (
        <details>
          <summary>System prompt (as recorded for the cache explainer)</summary>
          <FoldedText text={system} />
        </details>
      )}
      {messages.length > 0 && (
        <details data-testid="request-messages">
          <summary>
            {messages.length} {messages.length === 1 ? 'message' : 'messages'} sent
          </summary>
          <ol className="request-messages">
            {messages.map((m) => (
              <li key={m.id}>
                <span className="span-io-label">{m.role}</span>
                <FoldedText text={messageText(m)} />
              </li>
            ))}
          </ol>
        </details>
      )}
      {tools.length > 0 && (
        <p className="request-tools" data-testid="request-tools">
          <span className="muted">Tools offered: </span>
          {tools.join(', ')}
        </p>
      )}
    </div>
  );
}

function messageText(m: { text: string; toolCalls?: { name: string; arguments?: unknown }[] | undefined }): string {
  const calls = (m.toolCalls ?? []).map(
    (c) => `→ ${c.name}(${typeof c.arguments === 'string' ? c.arguments : JSON.stringify(c.arguments)})`,
  );
  return [m.text, ...calls].filter(Boolean).join('\n') || '(empty)';
}

function toolNamesOf(input: unknown): string[] {
  if (!input || typeof input !== 'object') return [];
  const tools = (input as { tools?: unknown }).tools;
  return Array.isArray(tools) ? tools.filter((t): t is string => typeof t === 'string') : [];
}
