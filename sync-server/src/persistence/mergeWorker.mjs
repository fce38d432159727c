/**
 * Compaction's merge on a worker thread: applying a doc's snapshot and rows to a Y.Doc and encoding the
 * result takes ~0.4 s for 100,000 rows, which on the server's event loop delayed every client's write
 * acknowledgement by as much. Plain JS: worker threads load it without a TS loader.
 * Message in: { id, packed: Uint8Array (all updates back to back), lengths: number[] } (the snapshot, if
 * any, first). Out: { id, merged: Uint8Array, skipped } or { id, error }.
 */
import { parentPort } from 'node:worker_threads';
import * as Y from 'yjs';

if (!parentPort) throw new Error('mergeWorker must run as a worker thread');
const port = parentPort;

port.on('message', ({ id, packed, lengths }) => {
  try {
    const ydoc = new Y.Doc();
    let offset = 0;
    let skipped = 0;
    for (const length of lengths) {
      const update = packed.subarray(offset, offset + length);
      offset += length;
      try {
        Y.applyUpdate(ydoc, update);
      } catch {
        // Updates are validated before they are stored; a bad row must not make the doc uncompactable.
        skipped++;
      }
    }
    const merged = Y.encodeStateAsUpdate(ydoc);
    ydoc.destroy();
    port.postMessage({ id, merged, skipped }, [merged.buffer]);
  } catch (err) {
    port.postMessage({ id, error: err instanceof Error ? err.message : String(err) });
  }
});
