// Worker threads that run grep's regular expressions (grep-match-worker.mjs), kept warm between searches:
// starting a worker costs tens of milliseconds on an idle machine and several hundred under load, more
// than a typical grep. A search borrows one and gives it back when done. One that hit the time limit is
// terminated instead, the only way to stop a regular expression in the middle of its backtracking, and
// the next search starts a fresh one.
import { Worker } from 'node:worker_threads';
import { RunnerError } from './runner-error.ts';

export interface Match {
  line: number;
  text: string;
}

export interface Matcher {
  /** Matches in one file's bytes, at most `max`; rejects once the matcher was stopped. */
  match(bytes: Buffer, max: number): Promise<Match[]>;
  /** Terminates the thread mid-match: the search is over and `reason` is what every wait rejects with. */
  stop(reason: Error): void;
  /** The search is done: the thread goes back to the pool. */
  release(): void;
}

export interface MatcherPool {
  borrow(pattern: { source: string; flags: string }): Matcher;
  close(): Promise<void>;
}

interface Waiting {
  resolve: (matches: Match[]) => void;
  reject: (error: Error) => void;
}

interface PooledWorker {
  worker: Worker;
  /** Set while a search holds it: where its answers and its failure go. */
  borrowed?: { waiting: Map<number, Waiting>; fail: (error: Error) => void };
}

const WORKER_URL = new URL('./grep-match-worker.mjs', import.meta.url);

/** `keepIdle`: threads kept warm for the next search (0 for a one-off search). */
export function createMatcherPool(options: { keepIdle?: number } = {}): MatcherPool {
  const keepIdle = options.keepIdle ?? 1;
  const idle: PooledWorker[] = [];
  const all = new Set<PooledWorker>();
  let closed = false;

  const spawnWorker = (): PooledWorker => {
    const pooled: PooledWorker = { worker: new Worker(WORKER_URL) };
    all.add(pooled);
    pooled.worker.on('message', (message: { id: number; matches: Match[] }) => {
      const waiting = pooled.borrowed?.waiting.get(message.id);
      pooled.borrowed?.waiting.delete(message.id);
      waiting?.resolve(message.matches);
    });
    // Always listened to: an 'error' nobody listens to would take the runner down.
    pooled.worker.on('error', (error) =>
      pooled.borrowed?.fail(new RunnerError('INTERNAL', `grep's matcher failed: ${error.message}`, 500)),
    );
    pooled.worker.on('exit', () => {
      all.delete(pooled);
      const at = idle.indexOf(pooled);
      if (at !== -1) idle.splice(at, 1);
      pooled.borrowed?.fail(new RunnerError('INTERNAL', "grep's matcher stopped unexpectedly.", 500));
    });
    return pooled;
  };

  const borrow = (pattern: { source: string; flags: string }): Matcher => {
    const pooled = idle.pop() ?? spawnWorker();
    pooled.worker.ref();
    const waiting = new Map<number, Waiting>();
    let over: Error | undefined;
    let nextId = 0;
    const end = (reason: Error) => {
      over = reason;
      pooled.borrowed = undefined;
      for (const wait of waiting.values()) wait.reject(reason);
      waiting.clear();
    };
    pooled.borrowed = { waiting, fail: (error) => end(error) };
    return {
      match(bytes, max) {
        if (over) return Promise.reject(over);
        const id = nextId++;
        return new Promise((resolve, reject) => {
          waiting.set(id, { resolve, reject });
          // A copy the worker owns: the bytes move to its thread without a second copy.
          const owned = new Uint8Array(bytes);
          pooled.worker.postMessage({ id, ...pattern, bytes: owned, max }, [owned.buffer]);
        });
      },
      stop(reason) {
        if (over) return;
        end(reason);
        void pooled.worker.terminate();
      },
      release() {
        if (over) return;
        const busy = waiting.size > 0;
        end(new Error('grep finished'));
        if (busy || closed || idle.length >= keepIdle) {
          void pooled.worker.terminate();
          return;
        }
        pooled.worker.unref(); // an idle matcher never keeps the process alive
        idle.push(pooled);
      },
    };
  };

  return {
    borrow,
    async close() {
      closed = true;
      await Promise.all([...all].map((pooled) => pooled.worker.terminate()));
    },
  };
}
