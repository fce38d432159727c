// run_command: spawns without a shell unless asked, in its own process group, with a timeout
// and an output cap. On timeout or cancel the whole group is killed: a plain execFile timeout
// kills only the direct child and leaves grandchildren running (FINDINGS).
import { spawn } from 'node:child_process';
import { StringDecoder } from 'node:string_decoder';
import type { RunCommandResult } from '@boocode/shared/runner/tool-contracts';

export interface CommandSpec {
  command: string;
  args: string[];
  cwd: string;
  shell: boolean;
  timeoutMs: number;
  /** Bytes of stdout+stderr kept; the rest is counted in droppedBytes. */
  maxOutputBytes: number;
  env: NodeJS.ProcessEnv;
}

export interface CommandHooks {
  onStart?: (pid: number | null) => void;
  /** Called with each kept chunk as it arrives (never with dropped bytes). */
  onOutput?: (stream: 'stdout' | 'stderr', text: string) => void;
  signal?: AbortSignal;
}

/** Grace between SIGTERM and SIGKILL for the group. */
const KILL_GRACE_MS = 1000;

export class CommandStartError extends Error {
  override readonly name = 'CommandStartError';
}

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // ESRCH: the group is already gone.
  }
}

export function runCommand(spec: CommandSpec, hooks: CommandHooks = {}): Promise<RunCommandResult> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env,
      shell: spec.shell ? '/bin/sh' : false,
      detached: true, // own process group, so -pid reaches grandchildren
      stdio: ['ignore', 'pipe', 'pipe'],
      windowsHide: true,
    });
    const kept = { stdout: [] as Buffer[], stderr: [] as Buffer[] };
    let keptBytes = 0;
    let droppedBytes = 0;
    let timedOut = false;
    let cancelled = false;
    let finished = false;
    let killTimer: NodeJS.Timeout | undefined;

    const stop = (reason: 'timeout' | 'cancel') => {
      if (finished || child.pid === undefined) return;
      if (reason === 'timeout') timedOut = true;
      else cancelled = true;
      killGroup(child.pid, 'SIGTERM');
      killTimer ??= setTimeout(() => child.pid !== undefined && killGroup(child.pid, 'SIGKILL'), KILL_GRACE_MS);
    };
    const timer = setTimeout(() => stop('timeout'), spec.timeoutMs);
    const onAbort = () => stop('cancel');
    hooks.signal?.addEventListener('abort', onAbort, { once: true });
    if (hooks.signal?.aborted) onAbort();

    // Decoders keep a multi-byte character split across chunks whole in the streamed text.
    const decoders = { stdout: new StringDecoder('utf8'), stderr: new StringDecoder('utf8') };
    const collect = (stream: 'stdout' | 'stderr') => (chunk: Buffer) => {
      const room = spec.maxOutputBytes - keptBytes;
      const piece = room >= chunk.length ? chunk : chunk.subarray(0, Math.max(0, room));
      droppedBytes += chunk.length - piece.length;
      if (piece.length === 0) return;
      keptBytes += piece.length;
      kept[stream].push(piece);
      const text = decoders[stream].write(piece);
      if (text) hooks.onOutput?.(stream, text);
    };
    child.stdout.on('data', collect('stdout'));
    child.stderr.on('data', collect('stderr'));

    const cleanup = () => {
      finished = true;
      clearTimeout(timer);
      hooks.signal?.removeEventListener('abort', onAbort);
      // Whatever the direct child left behind in its group goes with it.
      if (child.pid !== undefined) killGroup(child.pid, 'SIGKILL');
      if (killTimer) clearTimeout(killTimer);
    };
    child.once('error', (error) => {
      cleanup();
      reject(new CommandStartError(`Could not start "${spec.command}": ${error.message}`));
    });
    child.once('spawn', () => hooks.onStart?.(child.pid ?? null));
    // 'close' waits for the pipes, so every byte is in before the result is built.
    child.once('close', (exitCode, signal) => {
      cleanup();
      resolve({
        exitCode,
        signal,
        stdout: Buffer.concat(kept.stdout).toString('utf8'),
        stderr: Buffer.concat(kept.stderr).toString('utf8'),
        truncated: droppedBytes > 0,
        droppedBytes,
        timedOut,
        cancelled,
        durationMs: Math.round(performance.now() - started),
        timeoutMs: spec.timeoutMs,
      });
    });
  });
}
