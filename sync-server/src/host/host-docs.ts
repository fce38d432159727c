// The agent host's docs: an ordinary Yjs client of the sync server, as a tab is one, with the stock
// y-websocket provider over `ws`, the token, and the server's stored-state acks (so a lease claim can wait
// until the server holds it). One provider per open doc; a doc stays open while anything uses it.
// A wrong token is said once in words and stops the host; an unreachable server is retried with backoff and
// said in words at each change, not at every attempt.
import {
  isDocStored,
  MESSAGE_STORED,
  readStoredSnapshot,
  STORED_PARAM,
  TOKEN_PARAM,
} from '@boocode/shared/protocol/sync';
import WebSocket from 'ws';
import type { Awareness } from 'y-protocols/awareness';
import { WebsocketProvider } from 'y-websocket';
import * as Y from 'yjs';

export interface HostDoc {
  readonly name: string;
  readonly doc: Y.Doc;
  readonly awareness: Awareness;
  /** Resolves once the first sync with the server is done. */
  readonly whenSynced: Promise<void>;
  /** True while the socket is open and synced. */
  connected(): boolean;
  /** Resolves true once the server stored everything this doc holds, false after `timeoutMs`. */
  whenStored(timeoutMs: number): Promise<boolean>;
  release(): void;
}

export interface HostDocsOptions {
  /** `http://host:port` of the sync server (its /yjs endpoint is derived). */
  serverUrl: string;
  token: string;
  log: (message: string) => void;
  /** Called once when the server refuses the token (close 4401): the host cannot work and should stop. */
  onRefused: (reason: string) => void;
}

interface Entry {
  doc: Y.Doc;
  provider: WebsocketProvider;
  refs: number;
  stored: Y.Snapshot | undefined;
  storedWaiters: Set<() => void>;
  whenSynced: Promise<void>;
}

export class HostDocs {
  private readonly open = new Map<string, Entry>();
  private readonly wsUrl: string;
  private reachable: boolean | undefined;
  private refused = false;

  constructor(private readonly opts: HostDocsOptions) {
    const url = new URL(opts.serverUrl);
    url.protocol = url.protocol === 'https:' ? 'wss:' : 'ws:';
    url.pathname = `${url.pathname.replace(/\/+$/, '')}/yjs`;
    this.wsUrl = url.toString();
  }

  openDoc(name: string): HostDoc {
    const entry = this.open.get(name) ?? this.connect(name);
    entry.refs++;
    let released = false;
    return {
      name,
      doc: entry.doc,
      awareness: entry.provider.awareness,
      whenSynced: entry.whenSynced,
      connected: () => entry.provider.wsconnected && entry.provider.synced,
      whenStored: (timeoutMs) => this.whenStored(entry, timeoutMs),
      release: () => {
        if (released) return;
        released = true;
        if (--entry.refs > 0) return;
        this.open.delete(name);
        entry.provider.destroy();
        entry.doc.destroy();
      },
    };
  }

  /** Names of the docs open now. */
  get openNames(): string[] {
    return [...this.open.keys()];
  }

  close(): void {
    for (const entry of this.open.values()) {
      entry.provider.destroy();
      entry.doc.destroy();
    }
    this.open.clear();
  }

  private connect(name: string): Entry {
    const doc = new Y.Doc();
    const provider = new WebsocketProvider(this.wsUrl, name, doc, {
      WebSocketPolyfill: WebSocket as unknown as typeof globalThis.WebSocket,
      params: { [TOKEN_PARAM]: this.opts.token, [STORED_PARAM]: '1' },
      maxBackoffTime: 5000,
      disableBc: true,
    });
    let synced!: () => void;
    const entry: Entry = {
      doc,
      provider,
      refs: 0,
      stored: undefined,
      storedWaiters: new Set(),
      whenSynced: new Promise<void>((resolve) => {
        synced = resolve;
      }),
    };
    provider.on('sync', (isSynced: boolean) => {
      if (isSynced) synced();
    });
    provider.messageHandlers[MESSAGE_STORED] = (_encoder, decoder) => {
      entry.stored = readStoredSnapshot(decoder);
      for (const w of [...entry.storedWaiters]) w();
    };
    provider.on('status', ({ status }: { status: string }) => {
      if (status !== 'connected') entry.stored = undefined;
      if (status === 'connected') this.setReachable(true);
    });
    provider.on('connection-error', () => this.setReachable(false));
    provider.on('closed', ({ code, reason }: { code: number; reason: string }) => {
      if (this.refused) return;
      this.refused = true;
      const why =
        code === 4401
          ? `The sync server at ${this.opts.serverUrl} refused the host's token (4401 ${reason}). Check BOOCODE_TOKEN.`
          : `The sync server at ${this.opts.serverUrl} closed the host's connection for good (${code} ${reason}).`;
      this.opts.log(why);
      this.opts.onRefused(why);
    });
    this.open.set(name, entry);
    return entry;
  }

  private setReachable(now: boolean): void {
    if (this.reachable === now) return;
    this.reachable = now;
    this.opts.log(
      now
        ? `Connected to the sync server at ${this.opts.serverUrl}.`
        : `Cannot reach the sync server at ${this.opts.serverUrl}; retrying with backoff (up to every 5 s).`,
    );
  }

  private whenStored(entry: Entry, timeoutMs: number): Promise<boolean> {
    const covered = () => entry.stored !== undefined && isDocStored(entry.stored, entry.doc);
    if (covered()) return Promise.resolve(true);
    return new Promise((resolve) => {
      const check = () => {
        if (!covered()) return;
        finish(true);
      };
      const finish = (ok: boolean) => {
        clearTimeout(timer);
        entry.storedWaiters.delete(check);
        resolve(ok);
      };
      const timer = setTimeout(() => finish(false), timeoutMs);
      entry.storedWaiters.add(check);
    });
  }
}
