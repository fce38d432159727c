// Whether this session offers the model the subagent tools (spawn, status, result). On by default for coder
// sessions, off for chat sessions: their definitions ride on every call (~450 tokens), and a change breaks the
// provider's prompt cache once. Kept in the session doc, so every tab, device and host offers the same tools.
import { sessionOffersSubagents, setSessionMeta } from '@boocode/shared/doc/session';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import type * as Y from 'yjs';

export function SubagentsToggle({
  doc,
  meta,
  disabled,
}: {
  doc: Y.Doc;
  meta: SessionMeta | undefined;
  disabled?: boolean;
}) {
  return (
    <label
      className="subagents-toggle muted"
      title="Lets the model start helper agents. Their tool definitions are sent with every call; turning this on or off changes the prompt once (one cache miss)."
    >
      <input
        type="checkbox"
        checked={sessionOffersSubagents(meta)}
        disabled={disabled}
        onChange={(e) => setSessionMeta(doc, { subagents: e.target.checked })}
        data-testid="subagents-toggle"
      />{' '}
      Subagents
    </label>
  );
}

/**
 * Whether a finished background helper starts a lead turn on its own when the lead is idle (on by
 * default). Off: results wait in the Agents pane and the next message carries them.
 */
export function WakeOnResultsToggle({ doc, meta }: { doc: Y.Doc; meta: SessionMeta | undefined }) {
  if (!sessionOffersSubagents(meta)) return null;
  return (
    <label
      className="subagents-toggle muted"
      title="When a helper finishes while this session is idle, continue with its result at once (on the agent host if one is up, even with no tab open)."
    >
      <input
        type="checkbox"
        checked={meta?.wakeOnResults !== false}
        onChange={(e) => setSessionMeta(doc, { wakeOnResults: e.target.checked })}
        data-testid="wake-on-results-toggle"
      />{' '}
      Continue on results
    </label>
  );
}
