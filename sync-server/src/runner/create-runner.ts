// Builds the local runner: a Fastify app on its own listener, bound to 127.0.0.1 only, with the
// wall (wall.ts) in front of every request and upgrade before Fastify routes or parses
// anything. Dependencies come in as options so tests can give it temp dirs and fake providers.

import { stat } from 'node:fs/promises';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { homedir } from 'node:os';
import type { Duplex } from 'node:stream';
import type { ApprovalRule } from '@boocode/shared/runner/approval-policy';
import type { BuildCommand } from '@boocode/shared/runner/build-check';
import type { ProviderConfig } from '@boocode/shared/runner/provider-config';
import { RUNNER_ERROR_HEADER } from '@boocode/shared/runner/runner-error';
import Fastify, { type FastifyInstance } from 'fastify';
import { openApprovalRulesStore } from './approval-rules-store.ts';
import { registerBuildRoutes } from './build-check.ts';
import { commandEnvironment } from './command-env.ts';
import { type CommandLimits, createCommandLauncher, DEFAULT_COMMAND_LIMITS } from './command-launcher.ts';
import { COMMAND_SOCKET_PATH, createCommandSocket } from './command-socket.ts';
import { createMatcherPool } from './grep-matchers.ts';
import { createLauncherClient } from './launcher-client.ts';
import { registerModelProxy } from './model-proxy.ts';
import { registerProviderRoutes } from './provider-routes.ts';
import { openProviderStore } from './provider-store.ts';
import { RunnerError } from './runner-error.ts';
import { ensurePrivateDir, loadOrCreateToken } from './secret-files.ts';
import { registerToolRoutes, toolRoot } from './tool-routes.ts';
import { checkWall, corsHeaders, type WallConfig, type WallVerdict } from './wall.ts';
import { registerWorkflowRoutes } from './workflow-discovery.ts';
import { registerWorktreeRoutes } from './worktree-routes.ts';
import { createWorktreeStore } from './worktrees.ts';

export const RUNNER_HOST = '127.0.0.1';
export const DEFAULT_RUNNER_PORT = 8788;
export const DEFAULT_APP_ORIGINS = ['http://127.0.0.1:8787', 'http://localhost:8787'];

export interface RunnerOptions {
  /** Workspace root every file tool and command is confined to. */
  workspace: string;
  /** Where the token, keys and rules files live (created 0700, files 0600). */
  dataDir: string;
  /** Default 8788; 0 picks a free port (tests). */
  port?: number;
  /** Fixed token; otherwise read from (or created in) dataDir/runner-token. */
  token?: string;
  allowedOrigins?: string[];
  /** Home directory for personal workflows (~/.boocode/workflows). */
  home?: string;
  /** Initial approval rules; otherwise loaded from dataDir/approval-rules.json. */
  rules?: ApprovalRule[];
  commandLimits?: Partial<CommandLimits>;
  buildCommand?: BuildCommand;
  buildTimeoutMs?: number;
  /** Replaces the registry's presets (the user's own entries are added from the data dir either way). */
  providers?: ProviderConfig[];
  defaultProvider?: string;
  /** How long a provider may take to answer the proxy (status and headers); default 120 s. */
  modelResponseTimeoutMs?: number;
  /**
   * Environment the runner reads provider keys from, and picks the commands' environment from (an
   * allow-list, command-env.ts). Default process.env; `main` passes the start environment it took.
   */
  env?: NodeJS.ProcessEnv;
  /** Names of further variables commands may see (BOOCODE_COMMAND_ENV), beyond the allow-list. */
  commandEnv?: string[];
  fetch?: typeof fetch;
  logger?: boolean;
  /**
   * Folders no file tool may enter and no command may name, besides dataDir itself (which holds the token
   * and the keys): e.g. the sync server's data folder, which sits in the workspace by default.
   */
  privateDirs?: string[];
  /** Time limit of one grep, walk included (default 20 s). */
  grepTimeoutMs?: number;
}

export interface Runner {
  app: FastifyInstance;
  token: string;
  /** Pid of the command launcher every command descends from (starts it if it is not running). */
  launcherPid(): Promise<number>;
  /** Starts listening on 127.0.0.1; resolves with the bound port and base URL. */
  listen(): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

function sendRefusal(
  res: ServerResponse,
  verdict: Extract<WallVerdict, { allowed: false }>,
  corsOrigin: string | undefined,
): void {
  // An allowed page may read why it was refused (a wrong token reads as the runner's, not as a network error).
  res.writeHead(verdict.status, {
    'content-type': 'application/json; charset=utf-8',
    connection: 'close',
    [RUNNER_ERROR_HEADER]: 'runner',
    ...(corsOrigin ? corsHeaders(corsOrigin) : {}),
  });
  res.end(JSON.stringify(verdict.body));
}

function refuseUpgrade(socket: Duplex, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  socket.end(
    `HTTP/1.1 ${status} ${status === 404 ? 'Not Found' : 'Forbidden'}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(text)}\r\nConnection: close\r\n\r\n${text}`,
  );
}

export async function createRunner(options: RunnerOptions): Promise<Runner> {
  const env = options.env ?? process.env;
  const root = await stat(options.workspace).catch(() => undefined);
  if (!root?.isDirectory()) throw new Error(`The runner workspace ${options.workspace} is not a directory.`);
  await ensurePrivateDir(options.dataDir);
  const token = options.token ?? (await loadOrCreateToken(options.dataDir));
  const providers = await openProviderStore({
    dataDir: options.dataDir,
    env,
    providers: options.providers,
    defaultProvider: options.defaultProvider,
  });
  const privateDirs = [options.dataDir, ...(options.privateDirs ?? [])];
  const grepMatchers = createMatcherPool();
  // Host allowlist is filled in once the port is known (port 0 in tests).
  const wall: WallConfig & { allowedHosts: string[] } = {
    token,
    allowedHosts: [],
    allowedOrigins: options.allowedOrigins ?? DEFAULT_APP_ORIGINS,
  };
  const rules = await openApprovalRulesStore(options.dataDir, options.rules);
  const secretNames = providers.secretEnvNames();
  // Started now, before any request: commands descend from it, never from this process.
  const commandEnv = commandEnvironment(env, options.commandEnv, secretNames);
  const launcher = createLauncherClient({ env: commandEnv });
  launcher.pid().catch((error: Error) => console.error(`[boocode runner] ${error.message}`));
  const commands = createCommandLauncher({
    workspace: options.workspace,
    rules,
    limits: { ...DEFAULT_COMMAND_LIMITS, ...options.commandLimits },
    start: launcher.run,
    env: commandEnv,
    privateDirs,
    home: env.HOME || homedir(),
  });
  // Subagent worktrees live in the data dir, outside the workspace (its `git status` stays clean).
  const worktrees = createWorktreeStore({ workspace: options.workspace, dataDir: options.dataDir });
  const commandSocket = createCommandSocket(commands, (worktree) =>
    toolRoot({ workspace: options.workspace, worktrees }, worktree),
  );

  const onUpgrade = (request: IncomingMessage, socket: Duplex, head: Buffer) => {
    socket.on('error', () => socket.destroy());
    const verdict = checkWall(
      {
        method: request.method ?? 'GET',
        url: request.url ?? '/',
        headers: request.headers,
        rawHeaders: request.rawHeaders,
        upgrade: true,
      },
      wall,
    );
    if (!verdict.allowed) return refuseUpgrade(socket, verdict.status, verdict.body);
    if (new URL(request.url ?? '/', 'http://runner.invalid').pathname !== COMMAND_SOCKET_PATH) {
      return refuseUpgrade(socket, 404, { code: 'NOT_FOUND', message: 'No WebSocket endpoint here.' });
    }
    commandSocket.handleUpgrade(request, socket, head);
  };

  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: 16 * 1024 * 1024,
    // Stopping the runner ends every connection, a request in flight included: a page's open request
    // (keep-alive or mid-answer) must not hold a shutdown for its own timeout (e2e saw 40 s closes).
    forceCloseConnections: true,
    serverFactory: (handler) => {
      const server = createServer((req, res) => {
        const verdict = checkWall(
          {
            method: req.method ?? 'GET',
            url: req.url ?? '/',
            headers: req.headers,
            rawHeaders: req.rawHeaders,
            upgrade: false,
          },
          wall,
        );
        if (!verdict.allowed) {
          const origin = req.headers.origin;
          const allowedOrigin = typeof origin === 'string' && wall.allowedOrigins.includes(origin) ? origin : undefined;
          return sendRefusal(res, verdict, verdict.body.code === 'FORBIDDEN_ORIGIN' ? undefined : allowedOrigin);
        }
        if (verdict.corsOrigin)
          for (const [name, value] of Object.entries(corsHeaders(verdict.corsOrigin))) res.setHeader(name, value);
        if (verdict.preflight) {
          res.writeHead(204);
          res.end();
          return;
        }
        handler(req, res);
      });
      server.on('upgrade', onUpgrade);
      return server;
    },
  });

  app.setErrorHandler((error, _request, reply) => {
    // Every answer that comes from here is the runner's own, never a provider's: say so (see RUNNER_ERROR_HEADER).
    reply.header(RUNNER_ERROR_HEADER, 'runner');
    if (error instanceof RunnerError) return reply.code(error.status).send(error.toBody());
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status >= 400 && status < 500) {
      return reply.code(status).send({ code: 'INVALID_REQUEST', message: (error as Error).message });
    }
    app.log.error(error);
    return reply.code(500).send({ code: 'INTERNAL', message: 'The runner hit an internal error; see its log.' });
  });
  app.setNotFoundHandler((request, reply) =>
    reply
      .code(404)
      .header(RUNNER_ERROR_HEADER, 'runner')
      .send({ code: 'NOT_FOUND', message: `No route ${request.method} ${request.url}.` }),
  );

  registerToolRoutes(app, {
    workspace: options.workspace,
    rules,
    commands,
    worktrees,
    privateDirs,
    grepTimeoutMs: options.grepTimeoutMs,
    grepMatchers,
  });
  registerWorktreeRoutes(app, worktrees);
  await registerBuildRoutes(app, {
    workspace: options.workspace,
    dataDir: options.dataDir,
    commands,
    timeoutMs: options.buildTimeoutMs ?? 5 * 60_000,
    configured: options.buildCommand,
  });
  registerWorkflowRoutes(app, { workspace: options.workspace, home: options.home ?? homedir() });
  registerModelProxy(app, {
    store: providers,
    fetch: options.fetch,
    responseTimeoutMs: options.modelResponseTimeoutMs,
  });
  const doFetch = options.fetch ?? fetch;
  registerProviderRoutes(app, providers, (url, init) => doFetch(url, init as RequestInit));
  app.get('/health', async () => ({ ok: true }));

  return {
    app,
    token,
    launcherPid: launcher.pid,
    async listen() {
      await app.listen({ host: RUNNER_HOST, port: options.port ?? DEFAULT_RUNNER_PORT });
      const { port } = app.server.address() as AddressInfo;
      wall.allowedHosts.splice(0, wall.allowedHosts.length, `127.0.0.1:${port}`, `localhost:${port}`);
      return { port, url: `http://${RUNNER_HOST}:${port}` };
    },
    async close() {
      commands.cancelAll();
      commandSocket.close();
      await app.close();
      await Promise.all([launcher.close(), grepMatchers.close()]);
    },
  };
}
