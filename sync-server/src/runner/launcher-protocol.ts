// Frames between the runner and its command launcher (launcher-process.ts), one JSON object per line
// over the launcher's fd 3. Both ends validate with these schemas. The launcher never receives a secret:
// its own environment and each command's are built from the same allow-list.
import type { Socket } from 'node:net';
import { runCommandResultSchema } from '@boocode/shared/runner/tool-contracts';
import { z } from 'zod';

export const launchSpecSchema = z.strictObject({
  command: z.string(),
  args: z.array(z.string()),
  cwd: z.string(),
  shell: z.boolean(),
  timeoutMs: z.number().int().positive(),
  /** Bytes of stdout+stderr kept; the rest is counted and dropped. */
  maxOutputBytes: z.number().int().nonnegative(),
  /**
   * The command's whole environment: the runner's allow-list (command-env.ts), hardened for git where the
   * command runs git. Never a secret: the runner built it from the allow-list.
   */
  env: z.record(z.string(), z.string()),
});
export type LaunchSpec = z.infer<typeof launchSpecSchema>;

export const toLauncherSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('run'), id: z.string(), spec: launchSpecSchema }),
  z.strictObject({ type: z.literal('cancel'), id: z.string() }),
]);
export type ToLauncher = z.infer<typeof toLauncherSchema>;

export const fromLauncherSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('ready'), pid: z.number().int() }),
  z.strictObject({ type: z.literal('start'), id: z.string(), pid: z.number().int().nullable() }),
  z.strictObject({
    type: z.literal('output'),
    id: z.string(),
    stream: z.enum(['stdout', 'stderr']),
    text: z.string(),
  }),
  z.strictObject({ type: z.literal('end'), id: z.string(), result: runCommandResultSchema }),
  /** The program could not be started (not found, not executable): the runner says so in words. */
  z.strictObject({ type: z.literal('failed'), id: z.string(), message: z.string() }),
]);
export type FromLauncher = z.infer<typeof fromLauncherSchema>;

export function sendFrame(socket: Socket, frame: ToLauncher | FromLauncher): void {
  if (socket.writable) socket.write(`${JSON.stringify(frame)}\n`);
}

/** Calls `onFrame` with each valid frame read from `socket`; a line that is not one goes to `onInvalid`. */
export function readFrames<T>(
  socket: Socket,
  schema: z.ZodType<T>,
  onFrame: (frame: T) => void,
  onInvalid: (why: string) => void,
): void {
  let buffered = '';
  socket.setEncoding('utf8');
  socket.on('data', (chunk: string) => {
    buffered += chunk;
    for (let end = buffered.indexOf('\n'); end !== -1; end = buffered.indexOf('\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 1);
      let parsed: z.ZodSafeParseResult<T>;
      try {
        parsed = schema.safeParse(JSON.parse(line));
      } catch (error) {
        onInvalid(`not JSON: ${(error as Error).message}`);
        continue;
      }
      if (parsed.success) onFrame(parsed.data);
      else onInvalid(parsed.error.message);
    }
  });
}
