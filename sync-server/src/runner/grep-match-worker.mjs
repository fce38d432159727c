/**
 * grep's matcher, on a worker thread: a regular expression that backtracks catastrophically ((a+)+$ on a
 * line of a's) runs here, never on the runner's event loop, and the runner terminates this thread at its
 * time limit. Plain JS: worker threads load it without a TS loader.
 * workerData: { source, flags } (already compiled once by the runner, so it is valid).
 * Messages: { id, bytes: Uint8Array, max } → { id, matches: [{ line, text }] }, at most `max` of them.
 */
import { parentPort, workerData } from 'node:worker_threads';

if (!parentPort) throw new Error('grep-match-worker must run as a worker thread');
const port = parentPort;
/** Lines are cut before matching, as before: the text returned stays readable. */
const MAX_LINE_CHARS = 2000;
const regex = new RegExp(workerData.source, workerData.flags);
const decoder = new TextDecoder('utf-8');

port.on('message', ({ id, bytes, max }) => {
  const matches = [];
  const lines = decoder.decode(bytes).split('\n');
  for (let i = 0; i < lines.length && matches.length < max; i++) {
    const line = lines[i].slice(0, MAX_LINE_CHARS);
    if (regex.test(line)) matches.push({ line: i + 1, text: line });
  }
  port.postMessage({ id, matches });
});
