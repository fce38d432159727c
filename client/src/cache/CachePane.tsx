// Placeholder while the pane is written.
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import type * as Y from 'yjs';

export function CachePane(_props: { sessionId: string; doc: Y.Doc | undefined; meta: SessionMeta | undefined }) {
  return <p className="empty-state">Coming soon.</p>;
}

export default CachePane;
