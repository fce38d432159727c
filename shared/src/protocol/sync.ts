/**
 * The sync wire protocol both ends agree on: the stock y-websocket message types, BooCode's extra
 * "stored" message, doc-name rule, URL parameters and close codes. Isomorphic (no Node APIs).
 *
 * Protocol history:
 *  - v1: y-websocket messages 0-3, plus MESSAGE_STORED (100), sent only to clients that connect
 *    with `?stored=1`, carrying the `Y.encodeSnapshot` of what the server has durably stored.
 *    Close code 4422 (an update that decodes but cannot be applied) added later: a stock client
 *    treats it like every 44xx code, as permanent.
 */
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import * as Y from 'yjs';

export const SYNC_PROTOCOL_VERSION = 1;

/** Stock y-websocket message types (first varUint of every frame). */
export const MESSAGE_SYNC = 0;
export const MESSAGE_AWARENESS = 1;
export const MESSAGE_AUTH = 2;
export const MESSAGE_QUERY_AWARENESS = 3;
/**
 * BooCode extension: `[varUint 100][varUint8Array Y.encodeSnapshot(stored)]`.
 * A state vector alone cannot prove a delete was stored, so the payload is a full snapshot
 * (state vector + delete set). Far from the stock numbers so a future y-websocket type won't clash.
 */
export const MESSAGE_STORED = 100;

/** URL query parameter names understood by `/yjs/<docName>`. */
export const TOKEN_PARAM = 'token';
/** `stored=1` opts in to MESSAGE_STORED; stock clients never receive it. */
export const STORED_PARAM = 'stored';

export const DOC_NAME_PATTERN = /^[A-Za-z0-9:_-]{1,128}$/;

export function isValidDocName(name: string): boolean {
  return DOC_NAME_PATTERN.test(name);
}

/**
 * WebSocket close codes. 4400-4499 are treated as permanent by the stock y-websocket provider
 * (it stops reconnecting), which is what a client that would resend the same bad input needs.
 */
export const CLOSE_MALFORMED_MESSAGE = 4400;
export const CLOSE_UNAUTHORIZED = 4401;
export const CLOSE_INVALID_DOC_NAME = 4404;
export const CLOSE_UPDATE_TOO_LARGE = 4413;
/** The update decodes but Yjs cannot apply it to the doc as stored (it would corrupt it): not stored. */
export const CLOSE_UPDATE_NOT_APPLICABLE = 4422;
/** Transient: the server is shutting down; the client should reconnect (not in 4400-4499). */
export const CLOSE_GOING_AWAY = 1001;

export type SyncCloseCode =
  | typeof CLOSE_MALFORMED_MESSAGE
  | typeof CLOSE_UNAUTHORIZED
  | typeof CLOSE_INVALID_DOC_NAME
  | typeof CLOSE_UPDATE_TOO_LARGE
  | typeof CLOSE_UPDATE_NOT_APPLICABLE
  | typeof CLOSE_GOING_AWAY;

/** Close reasons are stable codes (short, they must fit a 123-byte close frame). */
export const CLOSE_REASONS = {
  [CLOSE_MALFORMED_MESSAGE]: 'MALFORMED_MESSAGE',
  [CLOSE_UNAUTHORIZED]: 'UNAUTHORIZED',
  [CLOSE_INVALID_DOC_NAME]: 'INVALID_DOC_NAME',
  [CLOSE_UPDATE_TOO_LARGE]: 'UPDATE_TOO_LARGE',
  [CLOSE_UPDATE_NOT_APPLICABLE]: 'UPDATE_NOT_APPLICABLE',
  [CLOSE_GOING_AWAY]: 'SERVER_SHUTTING_DOWN',
} as const satisfies Record<SyncCloseCode, string>;

/** Encodes a MESSAGE_STORED frame from an already encoded snapshot (`Y.encodeSnapshot`). */
export function encodeStoredMessage(encodedSnapshot: Uint8Array): Uint8Array {
  const encoder = encoding.createEncoder();
  encoding.writeVarUint(encoder, MESSAGE_STORED);
  encoding.writeVarUint8Array(encoder, encodedSnapshot);
  return encoding.toUint8Array(encoder);
}

/** Encodes a MESSAGE_STORED frame for everything contained in `doc`. */
export function encodeStoredMessageForDoc(doc: Y.Doc): Uint8Array {
  return encodeStoredMessage(Y.encodeSnapshot(Y.snapshot(doc)));
}

/**
 * Reads the payload of a MESSAGE_STORED frame whose type has already been read: the shape of a
 * y-websocket `provider.messageHandlers[MESSAGE_STORED]` handler's decoder.
 */
export function readStoredSnapshot(decoder: decoding.Decoder): Y.Snapshot {
  return Y.decodeSnapshot(decoding.readVarUint8Array(decoder));
}

/** Decodes a whole MESSAGE_STORED frame; throws if the frame is of another type. */
export function decodeStoredMessage(frame: Uint8Array): Y.Snapshot {
  const decoder = decoding.createDecoder(frame);
  const type = decoding.readVarUint(decoder);
  if (type !== MESSAGE_STORED) throw new Error(`expected message type ${MESSAGE_STORED}, got ${type}`);
  return readStoredSnapshot(decoder);
}

/** True when every insert and delete of `update` (a Yjs v1 update) is part of the stored snapshot. */
export function isUpdateStored(stored: Y.Snapshot, update: Uint8Array): boolean {
  return Y.snapshotContainsUpdate(stored, update);
}

/**
 * True when everything in `doc` (inserts and deletes) is part of the stored snapshot: the cheap way
 * for a client to show "synced to server" (compares state vectors and delete ranges, no encoding).
 */
export function isDocStored(stored: Y.Snapshot, doc: Y.Doc): boolean {
  const local = Y.snapshot(doc);
  for (const [client, clock] of local.sv) {
    if ((stored.sv.get(client) ?? 0) < clock) return false;
  }
  for (const [client, ranges] of local.ds.clients) {
    const storedRanges = stored.ds.clients.get(client) ?? [];
    for (const range of ranges) {
      if (!rangeCovered(storedRanges, range.clock, range.clock + range.len)) return false;
    }
  }
  return true;
}

/** Whether [from, to) is covered by `ranges` (sorted by clock, possibly adjacent rather than merged). */
function rangeCovered(ranges: { clock: number; len: number }[], from: number, to: number): boolean {
  let reached = from;
  for (const r of ranges) {
    if (r.clock > reached) break;
    reached = Math.max(reached, r.clock + r.len);
    if (reached >= to) return true;
  }
  return reached >= to;
}
