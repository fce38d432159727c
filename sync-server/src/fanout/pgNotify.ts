/**
 * Scale-out through Postgres LISTEN/NOTIFY. The writer NOTIFYs in its INSERT statement (delivered
 * only on COMMIT; see UpdateWriter's `notify`) with doc name and seqs; other instances read those
 * rows from `doc_updates`.
 * The rows, not the notification, carry the update: NOTIFY payloads are capped at 8000 bytes and
 * an update may be megabytes; and a missed notification is repaired by re-reading the table.
 */
import pg from 'pg';

export const UPDATES_CHANNEL = 'boocode_doc_updates';
/** Presence is not stored: awareness updates travel in the payload itself (best effort, size-capped). */
export const AWARENESS_CHANNEL = 'boocode_awareness';
/** Stay under Postgres's 8000-byte NOTIFY payload limit. */
const MAX_PAYLOAD_CHARS = 7000;

export interface UpdateNotification {
  instanceId: string;
  doc: string;
  /** Rows to read, or null: "too many to list, re-read the doc". */
  seqs: string[] | null;
}

/** Payload (written by UpdateWriter's INSERT): `instanceId \t doc \t seq,seq,...`, or `*` for the seqs. */
export function decodeNotification(payload: string): UpdateNotification | null {
  const [instanceId, doc, seqList] = payload.split('\t');
  if (!instanceId || !doc || !seqList) return null;
  if (seqList === '*') return { instanceId, doc, seqs: null };
  const seqs = seqList.split(',');
  return seqs.every((s) => /^\d+$/.test(s)) ? { instanceId, doc, seqs } : null;
}

export interface AwarenessNotification {
  instanceId: string;
  doc: string;
  update: Uint8Array;
}

/** Payload: `instanceId \t doc \t base64(awareness update)`, or null when it would not fit. */
export function encodeAwarenessNotification(n: AwarenessNotification): string | null {
  const payload = `${n.instanceId}\t${n.doc}\t${Buffer.from(n.update).toString('base64')}`;
  return payload.length <= MAX_PAYLOAD_CHARS ? payload : null;
}

export function decodeAwarenessNotification(payload: string): AwarenessNotification | null {
  const [instanceId, doc, data] = payload.split('\t');
  if (!instanceId || !doc || !data) return null;
  return { instanceId, doc, update: new Uint8Array(Buffer.from(data, 'base64')) };
}

export interface UpdateListenerOptions {
  config: pg.ClientConfig;
  instanceId: string;
  onUpdate: (n: UpdateNotification) => void;
  onAwareness: (n: AwarenessNotification) => void;
  /** After a reconnect: notifications may have been lost while the connection was down. */
  onResync: () => void;
  retryMs?: number;
}

/** A dedicated connection that LISTENs, and reconnects (then asks for a resync) when it drops. */
export class UpdateListener {
  private client: pg.Client | null = null;
  private stopped = false;
  private retryTimer: NodeJS.Timeout | null = null;

  constructor(private readonly opts: UpdateListenerOptions) {}

  /** Resolves once LISTEN is active (first attempt must succeed: the database is reachable at start). */
  async start(): Promise<void> {
    await this.connect();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.retryTimer) clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  private async connect(): Promise<void> {
    const client = new pg.Client(this.opts.config);
    client.on('notification', (msg) => {
      if (!msg.payload) return;
      if (msg.channel === UPDATES_CHANNEL) {
        const n = decodeNotification(msg.payload);
        if (n && n.instanceId !== this.opts.instanceId) this.opts.onUpdate(n);
      } else if (msg.channel === AWARENESS_CHANNEL) {
        const n = decodeAwarenessNotification(msg.payload);
        if (n && n.instanceId !== this.opts.instanceId) this.opts.onAwareness(n);
      }
    });
    const lost = (err?: Error) => {
      if (this.client !== client) return;
      if (err) console.error('[sync-server] listen connection lost:', err.message);
      this.client = null;
      client.end().catch(() => {});
      this.scheduleReconnect();
    };
    client.on('error', lost);
    client.on('end', () => lost());
    try {
      await client.connect();
      await client.query(`LISTEN ${UPDATES_CHANNEL}`);
      await client.query(`LISTEN ${AWARENESS_CHANNEL}`);
    } catch (err) {
      client.end().catch(() => {});
      throw err;
    }
    if (this.stopped) {
      await client.end().catch(() => {});
      return;
    }
    this.client = client;
  }

  private scheduleReconnect(): void {
    if (this.stopped || this.retryTimer) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = null;
      this.connect().then(
        () => this.opts.onResync(),
        (err: Error) => {
          console.error('[sync-server] listen reconnect failed:', err.message);
          this.scheduleReconnect();
        },
      );
    }, this.opts.retryMs ?? 500);
    this.retryTimer.unref();
  }
}
