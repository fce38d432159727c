// An in-memory sync server for Y.Docs on a virtual clock: each replica's updates reach the server after
// a seeded delay, the server stores them and relays them to every other connected replica after another,
// in order per link (as one socket keeps order). A replica can be cut off and reconnected (then the two
// sides exchange what the other lacks), and can wait until the server has stored its updates, as the real
// server's stored-state acks let a client do. Real sockets belong to other tests; this one replays a seed.
import * as Y from 'yjs';
import type { VirtualClock } from './virtual-clock.ts';

const FROM_RELAY = Symbol('relay');

export interface RelayReplica {
  readonly doc: Y.Doc;
  readonly connected: boolean;
  /** Updates sent that the server has not stored yet (a kill now loses them). */
  readonly unstored: number;
  /** Resolves once the server has stored every update this replica made so far (waits while offline). */
  whenStored(): Promise<void>;
  disconnect(): void;
  connect(): void;
  /** Leaves for good (a killed process): nothing more is sent or received. */
  leave(): void;
}

export interface DocRelay {
  /** The server's copy. */
  readonly server: Y.Doc;
  join(doc: Y.Doc): RelayReplica;
}

export function createDocRelay(opts: { clock: VirtualClock; random: () => number; maxDelayMs: number }): DocRelay {
  const server = new Y.Doc();
  const replicas = new Set<Replica>();
  const delay = () => 1 + Math.floor(opts.random() * opts.maxDelayMs);

  class Replica implements RelayReplica {
    connected = true;
    private gone = false;
    private sent = 0;
    private stored = 0;
    private waiters: Array<{ upTo: number; resolve: () => void }> = [];
    /** FIFO per direction: a message never overtakes the one before it. */
    private upAt = 0;
    private downAt = 0;
    /** Bumped on every disconnect: messages of an older connection are dropped, as a closed socket's are. */
    private link = 0;

    constructor(readonly doc: Y.Doc) {
      doc.on('update', this.onLocal);
    }

    private onLocal = (update: Uint8Array, origin: unknown) => {
      if (origin === FROM_RELAY || this.gone || !this.connected) return;
      this.up(update);
    };

    /** The first sync: each side sends what the other lacks. */
    start() {
      const local = Y.encodeStateAsUpdate(this.doc, Y.encodeStateVector(server));
      if (local.length > 2) this.up(local);
      this.down(Y.encodeStateAsUpdate(server, Y.encodeStateVector(this.doc)));
    }

    private up(update: Uint8Array) {
      const n = ++this.sent;
      const link = this.link;
      this.upAt = Math.max(this.upAt, opts.clock.now()) + delay();
      opts.clock.schedule(this.upAt - opts.clock.now(), () => {
        if (link !== this.link || this.gone) return;
        Y.applyUpdate(server, update, this);
        this.stored = Math.max(this.stored, n);
        for (const w of this.waiters.filter((x) => x.upTo <= this.stored)) w.resolve();
        this.waiters = this.waiters.filter((x) => x.upTo > this.stored);
        for (const other of replicas) if (other !== this) other.down(update);
      });
    }

    down(update: Uint8Array) {
      if (!this.connected || this.gone) return;
      const link = this.link;
      this.downAt = Math.max(this.downAt, opts.clock.now()) + delay();
      opts.clock.schedule(this.downAt - opts.clock.now(), () => {
        if (link !== this.link || this.gone) return;
        Y.applyUpdate(this.doc, update, FROM_RELAY);
      });
    }

    get unstored(): number {
      return this.sent - this.stored;
    }

    whenStored(): Promise<void> {
      if (this.stored >= this.sent && this.connected) return Promise.resolve();
      const upTo = this.sent;
      return new Promise((resolve) => this.waiters.push({ upTo, resolve }));
    }

    disconnect() {
      this.connected = false;
      this.link++;
    }

    connect() {
      if (this.connected || this.gone) return;
      this.connected = true;
      this.start();
    }

    leave() {
      this.gone = true;
      this.connected = false;
      this.doc.off('update', this.onLocal);
      replicas.delete(this);
    }
  }

  return {
    server,
    join(doc) {
      const r = new Replica(doc);
      replicas.add(r);
      r.start();
      return r;
    },
  };
}
