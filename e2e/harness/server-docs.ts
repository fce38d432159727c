// Writes docs straight to the sync server from Node, the way another device would: a stock
// y-websocket provider, the typed accessors from shared/doc, and a wait for the server's "stored"
// message so a test never races the server's persistence.
import { SPACE_DOC, sessionDocName } from '@boocode/shared/doc/names';
import { appendMessage, initSessionMeta, type NewMessage } from '@boocode/shared/doc/session';
import { putSessionEntry } from '@boocode/shared/doc/space';
import { newId } from '@boocode/shared/ids';
import { MESSAGE_STORED, readStoredSnapshot, STORED_PARAM, TOKEN_PARAM } from '@boocode/shared/protocol/sync';
import { WebSocket } from 'ws';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';
import type { TestServer } from './sync-server.ts';

const TIMEOUT_MS = 10_000;

/** Connects to `docName` on the server, runs `edit` once synced, and resolves when it is stored. */
export async function editServerDoc(server: TestServer, docName: string, edit: (doc: Y.Doc) => void): Promise<void> {
  const doc = new Y.Doc();
  const provider = new WebsocketProvider(`${server.url.replace(/^http/, 'ws')}/yjs`, docName, doc, {
    params: { [TOKEN_PARAM]: server.token, [STORED_PARAM]: '1' },
    WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
    disableBc: true,
  });
  let storedCoversEdit: () => void = () => {};
  let edited = false;
  const stored = new Promise<void>((resolve) => {
    storedCoversEdit = resolve;
  });
  provider.messageHandlers[MESSAGE_STORED] = (_enc, decoder) => {
    const snapshot = readStoredSnapshot(decoder);
    if (edited && Y.snapshotContainsUpdate(snapshot, Y.encodeStateAsUpdate(doc))) storedCoversEdit();
  };
  try {
    await withTimeout(
      new Promise<void>((resolve) => {
        if (provider.synced) resolve();
        else provider.once('sync', () => resolve());
      }),
      `sync ${docName}`,
    );
    doc.transact(() => edit(doc));
    edited = true;
    await withTimeout(stored, `stored ${docName}`);
  } finally {
    provider.destroy();
    doc.destroy();
  }
}

/** Creates a session with messages on the server, as if another device had made it. */
export async function seedSession(
  server: TestServer,
  title: string,
  messages: Omit<NewMessage, 'id' | 'createdAt' | 'turn'>[],
): Promise<string> {
  const now = Date.now();
  const id = newId('ses', now);
  await editServerDoc(server, sessionDocName(id), (doc) => {
    initSessionMeta(doc, { id, title, kind: 'chat', createdAt: now });
    messages.forEach((m, i) => {
      appendMessage(doc, { id: newId('msg', now + i), createdAt: now + i, turn: Math.floor(i / 2), ...m });
    });
  });
  await editServerDoc(server, SPACE_DOC, (doc) => {
    putSessionEntry(doc, { id, title, kind: 'chat', status: 'idle', createdAt: now, updatedAt: now });
  });
  return id;
}

function withTimeout<T>(p: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const t = setTimeout(() => reject(new Error(`timed out: ${what}`)), TIMEOUT_MS);
    p.then(
      (v) => {
        clearTimeout(t);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(t);
        reject(e);
      },
    );
  });
}
