// The runner's side of the command launcher (launcher-process.ts): starts it with the allow-listed
// environment, hands it commands and relays their events. The launcher is started at runner start-up
// and again on demand if it died (a command can kill it: it runs as the same user).
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import type { Socket } from 'node:net';
import { dirname } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { RunCommandResult } from '@boocode/shared/runner/tool-contracts';
import { fromLauncherSchema, type LaunchSpec, readFrames, sendFrame, toLauncherSchema } from './launcher-protocol.ts';
import { type CommandHooks, CommandStartError } from './run-command.ts';
import { RunnerError } from './runner-error.ts';

/** How long the launcher may take to say it is ready (a Node start with the TS loader, on a busy machine). */
const READY_TIMEOUT_MS = 30_000;

export interface LauncherClient {
  /** Resolves with the result; rejects with CommandStartError when the program could not be started. */
  run(spec: LaunchSpec, hooks: CommandHooks): Promise<RunCommandResult>;
  /** Pid of the launcher process once it is up (tests and logs). */
  pid(): Promise<number>;
  /** Ends the launcher, which kills every command still running. */
  close(): Promise<void>;
}

interface Pending {
  hooks: CommandHooks;
  /** The launcher said it started the process: from here on it cannot be retried. */
  started: boolean;
  resolve: (result: RunCommandResult) => void;
  reject: (error: Error) => void;
}

/** The launcher went away before it started the command: safe to hand it to a new launcher. */
class LauncherGone extends Error {
  override readonly name = 'LauncherGone';
}

interface Connection {
  socket: Socket;
  pid: number;
  closed: Promise<void>;
  /** Commands handed to this launcher, by frame id. */
  pending: Map<string, Pending>;
}

function launcherCommand(): { program: string; args: string[]; cwd: string } {
  const entry = fileURLToPath(new URL('./launcher-process.ts', import.meta.url));
  // tsx's loader by absolute URL: `--import tsx` would resolve from the launcher's cwd.
  const loader = pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href;
  return { program: process.execPath, args: ['--import', loader, entry], cwd: dirname(entry) };
}

export function createLauncherClient(options: { env: Record<string, string> }): LauncherClient {
  let connection: Promise<Connection> | undefined;
  let generation = 0;
  let closing = false;

  const connect = (): Promise<Connection> =>
    new Promise((resolve, reject) => {
      const mine = ++generation;
      const pending = new Map<string, Pending>();
      const { program, args, cwd } = launcherCommand();
      // `"$0" "$@" &`: sh starts the launcher in the background and exits, so the launcher is orphaned
      // and adopted by init; detached gives it a session of its own (a terminal's Ctrl-C is the runner's).
      const shell: ChildProcess = spawn('/bin/sh', ['-c', '"$0" "$@" &', program, ...args], {
        cwd,
        env: options.env,
        detached: true,
        stdio: ['ignore', 'ignore', 'inherit', 'pipe'],
      });
      shell.on('error', (error) =>
        reject(new CommandStartError(`Could not start the command launcher: ${error.message}`)),
      );
      const socket = shell.stdio[3] as Socket;
      const timer = setTimeout(() => {
        socket.destroy();
        reject(new CommandStartError(`The command launcher did not start within ${READY_TIMEOUT_MS / 1000} s.`));
      }, READY_TIMEOUT_MS);
      const closed = new Promise<void>((done) => socket.once('close', () => done()));
      readFrames(
        socket,
        fromLauncherSchema,
        (frame) => {
          if (frame.type === 'ready') {
            clearTimeout(timer);
            resolve({ socket, pid: frame.pid, closed, pending });
            return;
          }
          const waiting = pending.get(frame.id);
          if (!waiting) return;
          if (frame.type === 'start') {
            waiting.started = true;
            waiting.hooks.onStart?.(frame.pid);
          }
          if (frame.type === 'output') waiting.hooks.onOutput?.(frame.stream, frame.text);
          if (frame.type === 'end' || frame.type === 'failed') {
            pending.delete(frame.id);
            if (frame.type === 'end') waiting.resolve(frame.result);
            else waiting.reject(new CommandStartError(frame.message));
          }
        },
        (why) => process.stderr.write(`[boocode runner] ignored a launcher frame: ${why}\n`),
      );
      socket.on('error', () => socket.destroy());
      void closed.then(() => {
        clearTimeout(timer);
        if (generation === mine) connection = undefined; // not a newer launcher's
        reject(new CommandStartError('The command launcher exited before it was ready.'));
        for (const [id, waiting] of pending) {
          pending.delete(id);
          waiting.reject(
            waiting.started
              ? new RunnerError('INTERNAL', 'The command launcher stopped while the command was running.', 500)
              : new LauncherGone('The command launcher stopped before it started the command.'),
          );
        }
      });
    });

  const runOn = (current: Connection, spec: LaunchSpec, hooks: CommandHooks) => {
    const id = randomBytes(8).toString('hex');
    const done = new Promise<RunCommandResult>((resolve, reject) =>
      current.pending.set(id, { hooks, started: false, resolve, reject }),
    );
    sendFrame(current.socket, toLauncherSchema.parse({ type: 'run', id, spec }));
    const cancel = () => sendFrame(current.socket, { type: 'cancel', id });
    if (hooks.signal?.aborted) cancel();
    hooks.signal?.addEventListener('abort', cancel, { once: true });
    return done.finally(() => hooks.signal?.removeEventListener('abort', cancel));
  };

  const ensure = () => {
    if (closing) return Promise.reject(new CommandStartError('The runner is shutting down.'));
    connection ??= connect().catch((error: unknown) => {
      connection = undefined;
      throw error;
    });
    return connection;
  };

  return {
    async run(spec, hooks) {
      try {
        return await runOn(await ensure(), spec, hooks);
      } catch (error) {
        // Killed between commands (it runs as the user, so a command can kill it): start another, once.
        if (!(error instanceof LauncherGone)) throw error;
        return runOn(await ensure(), spec, hooks);
      }
    },
    pid: async () => (await ensure()).pid,
    async close() {
      closing = true;
      const current = await connection?.catch(() => undefined);
      if (!current) return;
      current.socket.end();
      // The launcher exits once its commands are dead; wait for that, with a backstop.
      const backstop = setTimeout(() => {
        try {
          process.kill(current.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 8000);
      await current.closed;
      clearTimeout(backstop);
    },
  };
}
