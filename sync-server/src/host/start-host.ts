// Wires an agent host to its runner and a sync server: who it is (host-identity.ts), which providers its
// runner can call, its docs connection, and the driving loop. Used by `npm start` (beside the sync server)
// and `npm run host` (alone, against a sync server given by URL and token).
import { providerListSchema } from '@boocode/shared/runner/provider-config';
import { type AgentHost, startAgentHost } from './agent-host.ts';
import { HostDocs } from './host-docs.ts';
import { loadHookFiles } from './host-hooks.ts';
import { loadHostIdentity } from './host-identity.ts';

export interface StartHostOptions {
  serverUrl: string;
  token: string;
  runner: { url: string; token: string };
  workspace: string;
  /** The runner's data folder: the host's id is kept there. */
  dataDir: string;
  log?: (message: string) => void;
  /** Called when the server refuses the host for good (a wrong token). */
  onRefused?: (reason: string) => void;
}

export async function startHost(opts: StartHostOptions): Promise<AgentHost & { docs: HostDocs }> {
  const log = opts.log ?? ((m: string) => console.log(`[host] ${m}`));
  const identity = await loadHostIdentity(opts.dataDir, opts.workspace);
  const docs = new HostDocs({
    serverUrl: opts.serverUrl,
    token: opts.token,
    log,
    onRefused: opts.onRefused ?? (() => {}),
  });
  const host = await startAgentHost({
    docs,
    ...identity,
    workspace: opts.workspace,
    runner: opts.runner,
    providers: await runnerProviders(opts.runner),
    hookFiles: await loadHookFiles(opts.workspace, opts.dataDir),
    log,
  });
  return {
    ...host,
    docs,
    async close() {
      await host.close();
      docs.close();
    },
  };
}

/** The runner's providers that can be called now (a key is set). */
async function runnerProviders(runner: { url: string; token: string }): Promise<string[]> {
  const res = await fetch(`${runner.url}/providers`, { headers: { authorization: `Bearer ${runner.token}` } });
  if (!res.ok) throw new Error(`The runner did not list its providers (${res.status}).`);
  const parsed = providerListSchema.safeParse(await res.json());
  if (!parsed.success) throw new Error('The runner listed its providers in a shape this host does not know.');
  return parsed.data.providers.filter((p) => p.hasKey).map((p) => p.id);
}
