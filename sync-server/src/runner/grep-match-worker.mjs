/**
 * grep's matcher, on a worker thread: a regular expression that backtracks catastrophically ((a+)+$ on a
 * line of a's) runs here, never on the runner's event loop, and the runner terminates this thread at its
 * time limit (grep-matchers.ts). Plain JS: worker threads load it without a TS loader.
 * Messages: { id, source, flags, bytes: Uint8Array, max } → { id, matches: [{ line, text }] }, at most
 * `max` of them. The pattern was compiled once by the runner already, so it is valid.
 */
import { parentPort } from 'node:worker_threads';

if (!parentPort) throw new Error('grep-match-worker must run as a worker thread');
const port = parentPort;
/** Lines are cut before matching: the text returned stays readable, and each test has a bounded input. */
const MAX_LINE_CHARS = 2000;
const decoder = new TextDecoder('utf-8');
/** The last pattern compiled: one search sends the same pattern with every file. */
let compiled = { key: '', regex: /$^/ };

port.on('message', ({ id, source, flags, bytes, max }) => {
  const key = JSON.stringify([source, flags]);
  if (compiled.key !== key) compiled = { key, regex: new RegExp(source, flags) };
  const matches = [];
  const lines = decoder.decode(bytes).split('\n');
  for (let i = 0; i < lines.length && matches.length < max; i++) {
    const line = lines[i].slice(0, MAX_LINE_CHARS);
    if (compiled.regex.test(line)) matches.push({ line: i + 1, text: line });
  }
  port.postMessage({ id, matches });
});
