// The identity of a doc's content for the projection's bookkeeping: a hash of its Yjs snapshot.
// A state vector alone would miss deletes (removing a span adds no struct), the snapshot has both.
import { createHash } from 'node:crypto';
import * as Y from 'yjs';

/** Equal for two docs holding the same updates, whatever order they were applied in. */
export function projectedStateOf(doc: Y.Doc): string {
  return createHash('sha256')
    .update(Y.encodeSnapshot(Y.snapshot(doc)))
    .digest('base64');
}
