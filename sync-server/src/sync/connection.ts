/**
 * One WebSocket peer on one doc: decodes y-websocket frames, answers sync step 1, hands updates to
 * the registry to be stored before they are applied, relays awareness. Any frame it cannot decode
 * closes this socket only; nothing a peer sends can throw past this module.
 */
import {
  CLOSE_MALFORMED_MESSAGE,
  CLOSE_REASONS,
  CLOSE_UPDATE_NOT_APPLICABLE,
  CLOSE_UPDATE_TOO_LARGE,
  MESSAGE_AUTH,
  MESSAGE_AWARENESS,
  MESSAGE_QUERY_AWARENESS,
  MESSAGE_SYNC,
} from '@boocode/shared/protocol/sync';
import * as decoding from 'lib0/decoding';
import * as encoding from 'lib0/encoding';
import type { RawData, WebSocket } from 'ws';
import * as awarenessProtocol from 'y-protocols/awareness';
import * as syncProtocol from 'y-protocols/sync';
import * as Y from 'yjs';
import type { DocRegistry } from './docRegistry.ts';
import type { Peer, SharedDoc } from './sharedDoc.ts';

const CLOSE_INTERNAL_ERROR = 1011;
const PING_INTERVAL_MS = 30_000;
/** A peer that does not read its socket is dropped rather than buffered without bound. */
const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

export interface ConnectionOptions {
  docName: string;
  wantsStored: boolean;
  maxUpdateBytes: number;
}

class PeerError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
    this.name = 'PeerError';
  }
}

export class SyncConnection implements Peer {
  readonly wantsStored: boolean;
  private doc: SharedDoc | null = null;
  /** Frames that arrived while the doc was loading, handled in order once it is loaded. */
  private early: Uint8Array[] = [];
  private earlyBytes = 0;
  private closed = false;
  private alive = true;
  private readonly pingTimer: NodeJS.Timeout;

  constructor(
    private readonly socket: WebSocket,
    private readonly registry: DocRegistry,
    private readonly opts: ConnectionOptions,
  ) {
    this.wantsStored = opts.wantsStored;
    socket.on('message', (data) => this.onFrame(toBytes(data)));
    socket.on('close', () => this.onClose());
    socket.on('error', () => this.onClose());
    socket.on('pong', () => {
      this.alive = true;
    });
    this.pingTimer = setInterval(() => this.ping(), PING_INTERVAL_MS);
    this.pingTimer.unref();
    registry.join(opts.docName, this).then(
      (doc) => this.onJoined(doc),
      (err: Error) => {
        console.error(`[sync-server] could not load ${opts.docName}:`, err.message);
        this.close(CLOSE_INTERNAL_ERROR, 'LOAD_FAILED');
      },
    );
  }

  send(message: Uint8Array): void {
    if (this.closed || this.socket.readyState !== this.socket.OPEN) return;
    if (this.socket.bufferedAmount > MAX_BUFFERED_BYTES) {
      this.socket.terminate();
      return;
    }
    this.socket.send(message);
  }

  close(code: number, reason: string): void {
    if (this.closed) return;
    this.socket.close(code, reason);
    this.onClose();
  }

  private onJoined(doc: SharedDoc): void {
    if (this.closed) {
      this.registry.leave(doc, this);
      return;
    }
    this.doc = doc;
    const early = this.early;
    this.early = [];
    this.earlyBytes = 0;
    for (const frame of early) {
      if (this.closed) break;
      this.handle(doc, frame);
    }
  }

  private onFrame(frame: Uint8Array): void {
    if (this.closed) return;
    if (this.doc) {
      this.handle(this.doc, frame);
      return;
    }
    // While the doc loads, frames wait in memory: bound them like a few maximal updates.
    this.earlyBytes += frame.byteLength;
    if (this.earlyBytes > 4 * this.opts.maxUpdateBytes) {
      this.close(CLOSE_UPDATE_TOO_LARGE, CLOSE_REASONS[CLOSE_UPDATE_TOO_LARGE]);
      return;
    }
    this.early.push(frame);
  }

  private handle(doc: SharedDoc, frame: Uint8Array): void {
    try {
      this.dispatch(doc, frame);
    } catch (err) {
      if (err instanceof PeerError) this.close(err.code, err.message);
      else this.close(CLOSE_MALFORMED_MESSAGE, CLOSE_REASONS[CLOSE_MALFORMED_MESSAGE]);
    }
  }

  private dispatch(doc: SharedDoc, frame: Uint8Array): void {
    const decoder = decoding.createDecoder(frame);
    const type = decoding.readVarUint(decoder);
    switch (type) {
      case MESSAGE_SYNC:
        this.handleSync(doc, decoder);
        return;
      case MESSAGE_AWARENESS:
        awarenessProtocol.applyAwarenessUpdate(doc.awareness, decoding.readVarUint8Array(decoder), this);
        return;
      case MESSAGE_QUERY_AWARENESS:
        this.send(doc.encodeAwareness([...doc.awareness.getStates().keys()]));
        return;
      case MESSAGE_AUTH:
        return; // permissions are settled by the token before the socket opens
      default:
        throw new PeerError(CLOSE_MALFORMED_MESSAGE, CLOSE_REASONS[CLOSE_MALFORMED_MESSAGE]);
    }
  }

  private handleSync(doc: SharedDoc, decoder: decoding.Decoder): void {
    const syncType = decoding.readVarUint(decoder);
    if (syncType === syncProtocol.messageYjsSyncStep1) {
      const stateVector = decoding.readVarUint8Array(decoder);
      const encoder = encoding.createEncoder();
      encoding.writeVarUint(encoder, MESSAGE_SYNC);
      syncProtocol.writeSyncStep2(encoder, doc.ydoc, stateVector);
      this.send(encoding.toUint8Array(encoder));
      return;
    }
    if (syncType !== syncProtocol.messageYjsSyncStep2 && syncType !== syncProtocol.messageYjsUpdate) {
      throw new PeerError(CLOSE_MALFORMED_MESSAGE, CLOSE_REASONS[CLOSE_MALFORMED_MESSAGE]);
    }
    const update = decoding.readVarUint8Array(decoder);
    if (update.byteLength > this.opts.maxUpdateBytes) {
      throw new PeerError(CLOSE_UPDATE_TOO_LARGE, CLOSE_REASONS[CLOSE_UPDATE_TOO_LARGE]);
    }
    // Validate before storing: an undecodable row would be replayed on every load.
    const decoded = Y.decodeUpdate(update);
    if (decoded.structs.length === 0 && decoded.ds.clients.size === 0) return; // nothing to store
    // Decoding is not applying: one that throws half way through would corrupt the doc on every load.
    if (!doc.probe.check(update)) {
      throw new PeerError(CLOSE_UPDATE_NOT_APPLICABLE, CLOSE_REASONS[CLOSE_UPDATE_NOT_APPLICABLE]);
    }
    this.registry.persist(doc, update, this, (err) => {
      console.error(`[sync-server] storing an update of ${doc.name} failed:`, (err as Error).message);
      // The peer still holds the update and resends it when it reconnects and resyncs.
      this.close(CLOSE_INTERNAL_ERROR, 'STORAGE_FAILED');
    });
  }

  private ping(): void {
    if (!this.alive) {
      this.socket.terminate();
      this.onClose();
      return;
    }
    this.alive = false;
    try {
      this.socket.ping();
    } catch {
      this.onClose();
    }
  }

  private onClose(): void {
    if (this.closed) return;
    this.closed = true;
    clearInterval(this.pingTimer);
    this.early = [];
    if (this.doc) this.registry.leave(this.doc, this);
  }
}

function toBytes(data: RawData): Uint8Array {
  if (Array.isArray(data)) return Buffer.concat(data);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  return data;
}
