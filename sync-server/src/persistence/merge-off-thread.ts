/**
 * Merges stored updates into one (the same result as applyStoredDoc + Y.encodeStateAsUpdate) on a worker
 * thread, so a compaction never holds the event loop that serves the sockets. One worker per process,
 * started on first use and unref'd (it never keeps the process alive); jobs run one at a time in order.
 */
import { Worker } from 'node:worker_threads';

interface Reply {
  id: number;
  merged?: Uint8Array;
  skipped?: number;
  error?: string;
}

let worker: Worker | null = null;
let nextId = 1;
const waiting = new Map<number, { resolve(r: MergeResult): void; reject(e: Error): void }>();

export interface MergeResult {
  merged: Uint8Array;
  /** Rows that could not be applied (each is reported; the rest still merge). */
  skipped: number;
}

function failAll(err: Error): void {
  for (const w of waiting.values()) w.reject(err);
  waiting.clear();
  worker = null;
}

function mergeWorker(): Worker {
  if (worker) return worker;
  const w = new Worker(new URL('./mergeWorker.mjs', import.meta.url));
  w.unref();
  w.on('message', (reply: Reply) => {
    const job = waiting.get(reply.id);
    if (!job) return;
    waiting.delete(reply.id);
    if (reply.merged) job.resolve({ merged: reply.merged, skipped: reply.skipped ?? 0 });
    else job.reject(new Error(`merging stored updates failed: ${reply.error ?? 'no result'}`));
  });
  w.on('error', (err) => failAll(err));
  w.on('exit', (code) => failAll(new Error(`the merge worker exited with ${code}`)));
  worker = w;
  return w;
}

/**
 * The updates are copied back to back into one buffer that is moved, not cloned, to the worker: rows read by
 * `pg` are often views into a larger shared buffer, and cloning a view copies all of that buffer.
 */
export function mergeOffThread(snapshot: Uint8Array | null, updates: readonly Uint8Array[]): Promise<MergeResult> {
  const all = snapshot ? [snapshot, ...updates] : updates;
  let total = 0;
  for (const u of all) total += u.byteLength;
  const packed = new Uint8Array(total);
  const lengths: number[] = [];
  let offset = 0;
  for (const u of all) {
    packed.set(u, offset);
    offset += u.byteLength;
    lengths.push(u.byteLength);
  }
  const id = nextId++;
  return new Promise<MergeResult>((resolve, reject) => {
    waiting.set(id, { resolve, reject });
    mergeWorker().postMessage({ id, packed, lengths }, [packed.buffer]);
  });
}
