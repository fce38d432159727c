// run_command over a WebSocket, for clients that prefer it to SSE: the upgrade passes the same
// wall as HTTP (token as `?token=` or a `boocode-token.<token>` subprotocol, since a browser
// WebSocket cannot set headers). The first message is the tool envelope; frames are the same
// CommandEvents as SSE; closing the socket cancels the command.
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { runCommandInputSchema } from '@boocode/shared/runner/tool-contracts';
import { type CommandEvent, toolRequestSchema } from '@boocode/shared/runner/tool-request';
import { type WebSocket, WebSocketServer } from 'ws';
import { type CommandLauncher, newCommandId } from './command-launcher.ts';
import { parseBody } from './request-body.ts';
import { RunnerError } from './runner-error.ts';
import { TOKEN_SUBPROTOCOL_PREFIX } from './wall.ts';

export const COMMAND_SOCKET_PATH = '/ws/run_command';

function send(socket: WebSocket, event: CommandEvent): void {
  if (socket.readyState === socket.OPEN) socket.send(JSON.stringify(event));
}

/** Maps the envelope's `worktree` (if any) to the root the command is confined to. */
export type CommandRootResolver = (worktree: string | undefined) => Promise<string>;

async function serve(
  socket: WebSocket,
  commands: CommandLauncher,
  rootOf: CommandRootResolver,
  message: string,
): Promise<void> {
  const envelope = parseBody(toolRequestSchema(runCommandInputSchema), JSON.parse(message));
  const root = await rootOf(envelope.worktree);
  const commandId = envelope.commandId ?? newCommandId();
  const launched = await commands.launch(envelope.input, {
    approved: envelope.approved,
    commandId,
    root,
    hooks: {
      onStart: (pid) => send(socket, { type: 'command-start', commandId, pid }),
      onOutput: (stream, text) => send(socket, { type: 'command-delta', stream, text }),
    },
  });
  socket.once('close', launched.cancel);
  send(socket, { type: 'command-end', result: await launched.done });
}

export function createCommandSocket(commands: CommandLauncher, rootOf: CommandRootResolver) {
  const server = new WebSocketServer({
    noServer: true,
    maxPayload: 1024 * 1024,
    // Echo the token subprotocol back: browsers fail the handshake when none is selected.
    handleProtocols: (protocols) => [...protocols].find((p) => p.startsWith(TOKEN_SUBPROTOCOL_PREFIX)) ?? false,
  });
  return {
    /** Call only after the wall allowed the upgrade. */
    handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer): void {
      server.handleUpgrade(request, socket, head, (ws) => {
        ws.once('message', (data) => {
          serve(ws, commands, rootOf, data.toString())
            .catch((error: unknown) => {
              const body =
                error instanceof RunnerError
                  ? error.toBody()
                  : { code: 'INVALID_REQUEST' as const, message: String(error) };
              send(ws, { type: 'command-error', error: body });
            })
            .finally(() => ws.close());
        });
      });
    },
    close: () => server.close(),
  };
}
