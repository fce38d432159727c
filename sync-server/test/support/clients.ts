/** Stock y-websocket clients for tests, and waiting for conditions (never sleeping for state). */
import { randomBytes } from 'node:crypto';
import { MESSAGE_STORED, readStoredSnapshot } from '@boocode/shared/protocol/sync';
import WebSocket from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export interface TestClient {
  doc: Y.Doc;
  provider: WebsocketProvider;
  /** Latest MESSAGE_STORED snapshot (only with `stored: true`). */
  stored: Y.Snapshot | null;
  destroy(): void;
}

export interface ClientOptions {
  token: string;
  stored?: boolean;
  doc?: Y.Doc;
  connect?: boolean;
}

export function wsUrl(httpUrl: string): string {
  return `${httpUrl.replace(/^http/, 'ws')}/yjs`;
}

export function randomDocName(prefix = 'doc'): string {
  return `${prefix}-${randomBytes(5).toString('hex')}`;
}

export function connectClient(serverUrl: string, docName: string, opts: ClientOptions): TestClient {
  const doc = opts.doc ?? new Y.Doc();
  const params: Record<string, string> = { token: opts.token };
  if (opts.stored) params.stored = '1';
  const provider = new WebsocketProvider(wsUrl(serverUrl), docName, doc, {
    params,
    // Node has no global WebSocket on 20; the stock provider takes a polyfill.
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    // Without this, providers in one process would sync through BroadcastChannel, bypassing the server.
    disableBc: true,
    connect: opts.connect ?? true,
    maxBackoffTime: 300,
  });
  const client: TestClient = {
    doc,
    provider,
    stored: null,
    destroy() {
      provider.destroy();
    },
  };
  if (opts.stored) {
    provider.messageHandlers[MESSAGE_STORED] = (_encoder, decoder) => {
      client.stored = readStoredSnapshot(decoder);
    };
  }
  return client;
}

export async function waitFor(
  condition: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export function waitSynced(client: TestClient, timeoutMs = 15_000): Promise<void> {
  return waitFor(() => client.provider.synced, 'provider synced', timeoutMs);
}

export function sameState(a: Y.Doc, b: Y.Doc): boolean {
  return (
    Buffer.from(Y.encodeStateVector(a)).equals(Buffer.from(Y.encodeStateVector(b))) &&
    JSON.stringify(a.toJSON()) === JSON.stringify(b.toJSON())
  );
}
