// How an agent host says it is connected: its awareness state on the `space` doc (y-protocols awareness,
// relayed by the sync server and removed the moment its socket closes). Tabs read it to hand turns to the
// host and to know at once that a host which held a lease is gone.
import { z } from 'zod';

/** The awareness field a host sets; tabs set none (their presence is the lease beat and Web Locks). */
export const HOST_PRESENCE_FIELD = 'boocodeHost';

export const HostPresenceSchema = z.object({
  /** Stable across restarts of the same host (kept in the runner's data folder). */
  id: z.string(),
  /** The workspace of the host's runner: coder sessions of this workspace are driven only by this host. */
  workspaceId: z.string().optional(),
  workspaceName: z.string().optional(),
  startedAt: z.number(),
  /** What it drives: chat and coder turns, background subagents, workflow runs. */
  drives: z.array(z.enum(['chat', 'coder', 'subagents', 'workflows'])),
  /** The runner providers it can call (a key is set, or none is needed); keyless direct servers always. */
  providers: z.array(z.string()),
});
export type HostPresence = z.infer<typeof HostPresenceSchema>;

/** The hosts present in a set of awareness states (invalid entries are ignored). */
export function hostsInAwareness(states: Map<number, Record<string, unknown>>): HostPresence[] {
  const hosts: HostPresence[] = [];
  for (const state of states.values()) {
    const parsed = HostPresenceSchema.safeParse(state?.[HOST_PRESENCE_FIELD]);
    if (parsed.success && !hosts.some((h) => h.id === parsed.data.id)) hosts.push(parsed.data);
  }
  return hosts;
}

/**
 * Whether a host may drive a session: any host a chat, only the host of its workspace a coder session, and
 * only with a model it can call (a runner provider it has, or a keyless server reached directly). Without a
 * model named yet, the kind and workspace decide.
 */
export function hostMayDrive(
  host: HostPresence,
  session: {
    kind: 'chat' | 'coder';
    workspace?: string | undefined;
    provider?: string | undefined;
    direct?: boolean | undefined;
  },
): boolean {
  if (!host.drives.includes(session.kind)) return false;
  if (session.kind === 'coder' && session.workspace && session.workspace !== host.workspaceId) return false;
  if (session.direct || session.provider === undefined) return true;
  return host.providers.includes(session.provider);
}
