/** A bare WebSocket for sending frames a stock client never would. */
import WebSocket from 'ws';
import { wsUrl } from './clients.ts';

export interface RawSocket {
  ws: WebSocket;
  opened: Promise<void>;
  closed: Promise<{ code: number; reason: string }>;
  refusedStatus: Promise<number>;
  messages: Uint8Array[];
}

export function openRaw(serverUrl: string, path: string, headers: Record<string, string> = {}): RawSocket {
  return openRawUrl(`${wsUrl(serverUrl)}/${path}`, headers);
}

/** A bare WebSocket on an exact URL (its path is sent as written, percent-encoding included). */
export function openRawUrl(url: string, headers: Record<string, string> = {}): RawSocket {
  const ws = new WebSocket(url, { headers });
  const messages: Uint8Array[] = [];
  ws.on('message', (data) => messages.push(new Uint8Array(data as Buffer)));
  const opened = new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  opened.catch(() => {}); // tests that expect a refusal never await it
  const closed = new Promise<{ code: number; reason: string }>((resolve) => {
    ws.once('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
  /** The HTTP status when the upgrade itself was refused. */
  const refusedStatus = new Promise<number>((resolve) => {
    ws.once('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
  });
  // A refused socket may also error; the close event carries what the test checks.
  ws.on('error', () => {});
  return { ws, opened, closed, refusedStatus, messages };
}
