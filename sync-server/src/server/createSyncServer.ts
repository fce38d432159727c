/**
 * The sync server: Fastify with the y-websocket endpoint `/yjs/<docName>`, `/healthz`, the built
 * client (static, SPA fallback), storage (embedded PGlite or DATABASE_URL) with group commit,
 * compaction and, on real Postgres, LISTEN/NOTIFY fan-out between instances.
 */
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import type { Socket } from 'node:net';
import { join } from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { parseDocName } from '@boocode/shared/doc/names';
import type { AccessError } from '@boocode/shared/protocol/access';
import type { HealthzResponse, StorageKind } from '@boocode/shared/protocol/rest';
import {
  CLOSE_GOING_AWAY,
  CLOSE_INVALID_DOC_NAME,
  CLOSE_REASONS,
  isValidDocName,
  STORED_PARAM,
} from '@boocode/shared/protocol/sync';
import fastifyStatic from '@fastify/static';
import fastifyWebsocket from '@fastify/websocket';
import Fastify, { type FastifyInstance, type FastifyRequest } from 'fastify';
import type pg from 'pg';
import type { WebSocket } from 'ws';
import { registerBlobRoutes } from '../blobs/blob-routes.ts';
import { AWARENESS_CHANNEL, encodeAwarenessNotification, UPDATES_CHANNEL, UpdateListener } from '../fanout/pgNotify.ts';
import { preparePrivateFolder } from '../persistence/data-folder.ts';
import { openDatabase } from '../persistence/database.ts';
import { UpdateWriter } from '../persistence/groupCommit.ts';
import { runMigrations } from '../persistence/migrations.ts';
import { createStorageHealthCheck } from '../persistence/storage-health.ts';
import { type CompactionResult, loadStoredDoc } from '../persistence/updateLog.ts';
import { attachProjection } from '../projection/attach-projection.ts';
import { withBackfillLock } from '../projection/backfill-lock.ts';
import { type BackfillResult, backfillProjections } from '../projection/projection-backfill.ts';
import { createSessionProjector } from '../projection/session-projector.ts';
import { registerSpanSearchRoutes } from '../projection/span-search-routes.ts';
import type { SqlQuery } from '../projection/sql-query.ts';
import { registerTraceRoutes } from '../projection/trace-routes.ts';
import { SyncConnection } from '../sync/connection.ts';
import { DocRegistry } from '../sync/docRegistry.ts';
import { AccessWall } from './access-wall.ts';
import { checkListenHost } from './listen-host.ts';
import { registerSecurityHeaders } from './security-headers.ts';
import { type ServerNames, serverNames } from './server-names.ts';
import { isPageRequest } from './spa-fallback.ts';
import { resolveToken, tokenMatches, tokenOfRequest } from './token.ts';

/** What a plugin (read APIs, blobs, ...) gets from the server to mount its routes. */
export interface SyncServerContext {
  pool: pg.Pool;
  storage: StorageKind;
  token: string;
  /** True when the request carries the token (`Authorization: Bearer`); the wall already checks every route. */
  authorize: (request: FastifyRequest) => boolean;
}

/** Registers routes before the server listens (Fastify cannot add routes afterwards). */
export type SyncServerPlugin = (app: FastifyInstance, ctx: SyncServerContext) => void | Promise<void>;

export interface SyncServerOptions {
  /** Folder for the embedded database and the generated token. */
  dataDir: string;
  /** Real Postgres; when unset the embedded PGlite in `dataDir` is used. */
  databaseUrl?: string | undefined;
  /** Access token; when unset, read from (or generated into) `dataDir/token`. */
  token?: string | undefined;
  /** 0 (default) picks a free port. */
  port?: number;
  /** Listen address (default 127.0.0.1); anything but loopback also needs `allowRemote`. */
  host?: string;
  /** Lets `host` be a non-loopback address (BOOCODE_ALLOW_REMOTE=1); `warning` then says what that means. */
  allowRemote?: boolean;
  /** Host values the server is also reached as (a name behind a proxy), besides its loopback names. */
  publicHosts?: readonly string[];
  /** Extra Content-Security-Policy `connect-src` sources (a model server the browser calls directly). */
  connectSources?: readonly string[];
  /** CSP `report-uri`: where browsers report violations (tests use it to prove there are none). */
  cspReportUri?: string;
  /** Built client to serve (index.html + assets); skipped when missing. */
  clientDir?: string | null;
  /** Largest update accepted in one message (default 8 MiB); larger closes with 4413. */
  maxUpdateBytes?: number;
  /** How long a doc without peers stays loaded (default 30 s). */
  docIdleMs?: number;
  /** Compact a doc once it has this many rows in `doc_updates` (default 2000; each compaction rereads them all). */
  compactAfterUpdates?: number;
  /** Pool size for a real Postgres (the embedded one always uses 1). */
  poolSize?: number;
  /** More routes (read APIs, ...); each needs the token unless it sets `config: { access: 'public' }`. */
  plugins?: SyncServerPlugin[];
  /** Projects session docs into the read models as they load and change (default true). */
  projection?: boolean;
  /**
   * After listening, projects stored session docs whose read models are missing or behind, in the
   * background (default on when `projection` is; `false` turns it off).
   */
  backfill?: false | { concurrency?: number; log?: (message: string) => void };
}

export interface SyncServer {
  /** `http://host:port` */
  readonly url: string;
  readonly port: number;
  readonly token: string;
  /** The URL to open the app with: `http://host:port/#token=...` */
  readonly appUrl: string;
  /** Origins the app is served from (the runner's allowed origins). */
  readonly appOrigins: readonly string[];
  /** Said in words when the server listens beyond loopback; null otherwise. */
  readonly warning: string | null;
  readonly storage: StorageKind;
  readonly instanceId: string;
  readonly app: FastifyInstance;
  /** The storage pool (size 1 on the embedded database), for modules that project docs into tables. */
  readonly pool: pg.Pool;
  /** Resolves when every update received so far is committed. */
  flush(): Promise<void>;
  /** Compacts one doc now (also runs in the background on its own). */
  compact(docName: string): Promise<CompactionResult>;
  stats(): { connections: number; loadedDocs: number; pendingWrites: number };
  /** The start-up backfill: its result when it ends, null when it is off or was stopped before it ran. */
  readonly backfill: Promise<BackfillResult | null>;
  /** Graceful stop: refuses new sockets, closes open ones (1001), flushes pending writes, closes storage. */
  close(): Promise<void>;
}

function allClosed(sockets: Set<WebSocket>): Promise<void> {
  return Promise.all(
    [...sockets].map((s) =>
      s.readyState === s.CLOSED ? undefined : new Promise<void>((resolve) => s.once('close', () => resolve())),
    ),
  ).then(() => {});
}

export const DEFAULT_MAX_UPDATE_BYTES = 8 * 1024 * 1024;

export async function createSyncServer(opts: SyncServerOptions): Promise<SyncServer> {
  const host = opts.host ?? '127.0.0.1';
  const warning = checkListenHost(host, opts.allowRemote === true);
  // Checked first, so a read-only folder is reported as one, not as a missing token or a broken database.
  if (!opts.databaseUrl || !opts.token) await preparePrivateFolder(opts.dataDir);
  const token = await resolveToken(opts.dataDir, opts.token);
  const maxUpdateBytes = opts.maxUpdateBytes ?? DEFAULT_MAX_UPDATE_BYTES;
  const instanceId = randomUUID();
  const db = await openDatabase({ databaseUrl: opts.databaseUrl, dataDir: opts.dataDir, poolSize: opts.poolSize });
  let registry: DocRegistry | null = null;
  let listener: UpdateListener | null = null;
  const sockets = new Set<WebSocket>();
  let app: FastifyInstance | null = null;
  try {
    await runMigrations(db.pool);
    const fanOut = db.listenConfig !== null;
    const writer = new UpdateWriter(db.pool, {
      notify: fanOut ? { channel: UPDATES_CHANNEL, instanceId } : undefined,
      afterCommit: (batch) => registry?.onCommitted(batch.seqsByDoc),
    });
    // Read models: session spans and snapshots projected into tool_traces / agent_snapshots as docs change.
    const projecting = opts.projection !== false;
    const projector = createSessionProjector({ query: ctxQuery(db.pool) });
    await projector.ready();
    const docs = new DocRegistry({
      pool: db.pool,
      onLoaded: (name, ydoc) =>
        projecting && parseDocName(name)?.kind === 'session' ? attachProjection(projector, name, ydoc) : undefined,
      writer,
      docIdleMs: opts.docIdleMs ?? 30_000,
      compactAfterUpdates: opts.compactAfterUpdates ?? 2000,
      publishAwareness: fanOut
        ? (doc, update) => {
            const payload = encodeAwarenessNotification({ instanceId, doc, update });
            if (!payload) return; // presence too large for a notification stays local
            db.pool.query('SELECT pg_notify($1, $2)', [AWARENESS_CHANNEL, payload]).catch((err: Error) => {
              console.error('[sync-server] publishing awareness failed:', err.message);
            });
          }
        : null,
    });
    registry = docs;
    if (db.listenConfig) {
      listener = new UpdateListener({
        config: db.listenConfig,
        instanceId,
        onUpdate: (n) => {
          docs.applyRemote(n.doc, n.seqs).catch((err: Error) => {
            console.error(`[sync-server] reading ${n.doc} from another instance failed:`, err.message);
          });
        },
        onAwareness: (n) => docs.applyRemoteAwareness(n.doc, n.update),
        onResync: () => {
          docs.resyncAll().catch((err: Error) => console.error('[sync-server] resync failed:', err.message));
        },
      });
      await listener.start();
    }

    const server = Fastify({ logger: false, forceCloseConnections: true, routerOptions: { maxParamLength: 1000 } });
    app = server;
    // Known once the port is bound (port 0 picks one); no request is served before that.
    let names: ServerNames | null = null;
    const wall = new AccessWall({ token, allowedHosts: () => names?.hosts ?? [] });
    wall.wrapSocketRoutes(server);
    // Hard cap on frame size; updates between maxUpdateBytes and this get a readable 4413 instead.
    await server.register(fastifyWebsocket, { options: { maxPayload: 2 * maxUpdateBytes + 64 * 1024 } });
    await registerSecurityHeaders(server, { connectSources: opts.connectSources, reportUri: opts.cspReportUri });
    wall.guardRequests(server);

    const storageHealth = createStorageHealthCheck(db.pool);
    server.get('/healthz', { config: { access: 'public' } }, async (_req, reply): Promise<HealthzResponse> => {
      const health = await storageHealth();
      if (health.ok) return { ok: true, storage: db.kind };
      reply.code(503);
      return { ok: false, storage: 'unreachable', backend: db.kind, error: health.error };
    });

    // The wall has checked the token (refused sockets are closed with 4401 before this runs).
    server.get('/yjs/*', { websocket: true }, (socket, req) => {
      const url = new URL(req.url, 'http://localhost');
      let docName = '';
      try {
        docName = decodeURIComponent(url.pathname.slice('/yjs/'.length));
      } catch {
        // an undecodable name is as invalid as a wrong one
      }
      if (!isValidDocName(docName)) {
        socket.close(CLOSE_INVALID_DOC_NAME, CLOSE_REASONS[CLOSE_INVALID_DOC_NAME]);
        return;
      }
      sockets.add(socket);
      socket.on('close', () => sockets.delete(socket));
      new SyncConnection(socket, docs, {
        docName,
        wantsStored: url.searchParams.get(STORED_PARAM) === '1',
        maxUpdateBytes,
      });
    });

    const authorize = (req: FastifyRequest) => tokenMatches(token, tokenOfRequest(req.headers, new URLSearchParams()));
    await registerTraceRoutes(server, { query: ctxQuery(db.pool) });
    await registerSpanSearchRoutes(server, { query: ctxQuery(db.pool) });
    await registerBlobRoutes(server, { query: ctxQuery(db.pool) });
    for (const plugin of opts.plugins ?? []) {
      await plugin(server, { pool: db.pool, storage: db.kind, token, authorize });
    }

    const clientDir = opts.clientDir;
    if (clientDir && existsSync(join(clientDir, 'index.html'))) {
      await server.register(async (shell) => {
        // The app shell and its files are public by name: the page must load before it has a token.
        shell.addHook('onRoute', (route) => {
          route.config = { ...route.config, access: 'public' };
        });
        await shell.register(fastifyStatic, { root: clientDir });
      });
      // SPA fallback: any other GET for a page gets the app shell; its router takes it from there.
      server.setNotFoundHandler((req, reply) => {
        if (isPageRequest(req.method, req.url)) return reply.sendFile('index.html');
        const body: AccessError = { code: 'NOT_FOUND', message: `${req.method} ${req.url} not found` };
        return reply.code(404).send(body);
      });
    }

    // Every TCP connection, upgraded or not: an upgrade that Fastify refused itself (e.g. a broken
    // URL encoding) answers 400 but leaves its half-open socket to nobody, which would keep
    // server.close() waiting forever.
    const connections = new Set<Socket>();
    server.server.on('connection', (conn: Socket) => {
      connections.add(conn);
      conn.once('close', () => connections.delete(conn));
    });

    const boundPort = () => {
      const address = server.server.address();
      return typeof address === 'object' && address ? address.port : (opts.port ?? 0);
    };
    server.server.once('listening', () => {
      names = serverNames({ listenHost: host, port: boundPort(), publicHosts: opts.publicHosts });
    });
    await server.listen({ port: opts.port ?? 0, host });
    const port = boundPort();
    names ??= serverNames({ listenHost: host, port, publicHosts: opts.publicHosts });
    const { url, origins: appOrigins } = names;

    const stopBackfill = new AbortController();
    const backfill =
      projecting && opts.backfill !== false
        ? startBackfill({
            pool: db.pool,
            listenConfig: db.listenConfig,
            isLoaded: (name) => docs.isLoaded(name),
            signal: stopBackfill.signal,
            concurrency: opts.backfill?.concurrency,
            log: opts.backfill?.log,
          })
        : Promise.resolve(null);

    let closing: Promise<void> | null = null;
    return {
      backfill,
      url,
      port,
      token,
      appUrl: `${url}/#token=${encodeURIComponent(token)}`,
      appOrigins,
      warning,
      storage: db.kind,
      instanceId,
      app: server,
      pool: db.pool,
      flush: () => writer.flush(),
      compact: (docName) => docs.compact(docName),
      stats: () => ({ connections: sockets.size, loadedDocs: docs.loadedCount, pendingWrites: writer.pending }),
      close() {
        closing ??= (async () => {
          stopBackfill.abort();
          for (const socket of sockets) socket.close(CLOSE_GOING_AWAY, CLOSE_REASONS[CLOSE_GOING_AWAY]);
          // A peer that never answers the close handshake must not hold the shutdown.
          await Promise.race([allClosed(sockets), delay(1000)]);
          for (const socket of sockets) socket.terminate();
          await writer.flush();
          await listener?.stop();
          const httpClosed = server.close();
          for (const conn of connections) conn.destroy();
          await httpClosed;
          await writer.flush();
          await docs.close();
          // Stopped between docs; a doc in flight gets a moment, then the pool closes under it (its error
          // is expected and not logged), so a hung database never holds the shutdown.
          await Promise.race([backfill, delay(1000)]);
          await db.close();
        })();
        return closing;
      },
    };
  } catch (err) {
    await listener?.stop();
    await app?.close().catch(() => {});
    await registry?.close();
    await db.close().catch(() => {});
    throw err;
  }
}

interface StartBackfillOptions {
  pool: pg.Pool;
  listenConfig: pg.ClientConfig | null;
  isLoaded: (name: string) => boolean;
  signal: AbortSignal;
  concurrency?: number | undefined;
  log?: ((message: string) => void) | undefined;
}

/** Runs the backfill once, in the background; never rejects (a failure is logged, sync carries on). */
function startBackfill(o: StartBackfillOptions): Promise<BackfillResult | null> {
  const log = o.log ?? ((m: string) => console.log(`[backfill] ${m}`));
  const run = () =>
    backfillProjections({
      query: ctxQuery(o.pool),
      loadDoc: (name) => loadStoredDoc(o.pool, name),
      // A projector of its own: its per-doc memory must not mix with the live projection's.
      projector: createSessionProjector({ query: ctxQuery(o.pool) }),
      isLoaded: o.isLoaded,
      concurrency: o.concurrency,
      signal: o.signal,
      log,
    });
  // The embedded database serves one process; on a shared Postgres, one instance backfills at a time.
  const guarded = o.listenConfig ? withBackfillLock(o.listenConfig, o.signal, log, run) : run();
  return guarded.catch((err: Error) => {
    if (!o.signal.aborted) log(`failed: ${err.message}`);
    return null;
  });
}

function ctxQuery(pool: pg.Pool): SqlQuery {
  return ((sql: string, params?: unknown[]) => pool.query(sql, params)) as SqlQuery;
}
