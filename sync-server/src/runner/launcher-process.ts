// The command launcher: a process of its own that every command the agent runs descends from. The runner
// starts it at start-up with an environment built from an allow-list (command-env.ts), through
// `sh -c '… &'` so that it is orphaned at once and adopted by init: a command that reads
// /proc/$PPID/environ finds this allow-list, and walking further up the parent chain reaches init, not
// the runner or whatever started the runner with keys in its environment (npm, tsx, a shell).
// It speaks launcher-protocol.ts on fd 3, runs each command with run-command.ts (own process group,
// timeout, output cap), and when the runner goes away (fd 3 closes) it kills every command and exits.
import { Socket } from 'node:net';
import {
  type FromLauncher,
  fromLauncherSchema,
  readFrames,
  sendFrame,
  type ToLauncher,
  toLauncherSchema,
} from './launcher-protocol.ts';
import { CommandStartError, runCommand } from './run-command.ts';

const control = new Socket({ fd: 3, readable: true, writable: true });
const running = new Map<string, AbortController>();
let stopping = false;

const send = (frame: FromLauncher) => sendFrame(control, fromLauncherSchema.parse(frame));

function run(frame: Extract<ToLauncher, { type: 'run' }>): void {
  const controller = new AbortController();
  running.set(frame.id, controller);
  runCommand(frame.spec, {
    signal: controller.signal,
    onStart: (pid) => send({ type: 'start', id: frame.id, pid }),
    onOutput: (stream, text) => send({ type: 'output', id: frame.id, stream, text }),
  })
    .then(
      (result) => send({ type: 'end', id: frame.id, result }),
      (error: unknown) => {
        const message = error instanceof CommandStartError ? error.message : `The launcher failed: ${String(error)}`;
        send({ type: 'failed', id: frame.id, message });
      },
    )
    .finally(() => {
      running.delete(frame.id);
      if (stopping && running.size === 0) process.exit(0);
    });
}

/** No command outlives the runner: cancel them all (each kills its process group), then go. */
function stop(): void {
  if (stopping) return;
  stopping = true;
  if (running.size === 0) process.exit(0);
  for (const controller of running.values()) controller.abort();
  // run-command escalates to SIGKILL after its grace; this is only the backstop.
  setTimeout(() => process.exit(0), 5000).unref();
}

readFrames(
  control,
  toLauncherSchema,
  (frame) => {
    if (frame.type === 'run' && !stopping) run(frame);
    if (frame.type === 'cancel') running.get(frame.id)?.abort();
  },
  (why) => process.stderr.write(`[boocode launcher] ignored a frame: ${why}\n`),
);
control.on('close', stop);
control.on('error', stop);
for (const signal of ['SIGTERM', 'SIGINT', 'SIGHUP'] as const) process.on(signal, stop);
send({ type: 'ready', pid: process.pid });
