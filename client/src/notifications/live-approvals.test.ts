import type { SessionIndexEntry } from '@boocode/shared/doc/space';
import { describe, expect, it } from 'vitest';
import { approvalChannelName, type ChannelLike, LiveApprovals } from './live-approvals.ts';
import type { NotifyEvent } from './notify-events.ts';

/** An in-memory BroadcastChannel hub: `post` reaches every open channel of that name. */
function hub() {
  const open = new Map<string, Set<(data: unknown) => void>>();
  const openChannel = (name: string): ChannelLike => {
    let fn: ((data: unknown) => void) | undefined;
    const listeners = open.get(name) ?? new Set();
    open.set(name, listeners);
    const relay = (data: unknown) => fn?.(data);
    listeners.add(relay);
    return {
      listen: (f) => {
        fn = f;
      },
      close: () => listeners.delete(relay),
    };
  };
  const post = (name: string, data: unknown) => {
    for (const l of open.get(name) ?? []) l(data);
  };
  const openCount = (name: string) => open.get(name)?.size ?? 0;
  return { openChannel, post, openCount };
}

const entry = (id: string, status: SessionIndexEntry['status']): SessionIndexEntry => ({
  id,
  title: `Title of ${id}`,
  kind: 'coder',
  status,
  createdAt: 1,
  updatedAt: 1,
});

const pending = (...spanIds: string[]) => ({
  type: 'pending',
  requests: spanIds.map((spanId) => ({ spanId, tool: 'run_command', input: {}, reason: 'r', canAlwaysAllow: true })),
});

describe('LiveApprovals', () => {
  it('reports each waiting tool call of a running session once', () => {
    const h = hub();
    const events: NotifyEvent[] = [];
    const live = new LiveApprovals({ openChannel: h.openChannel, emit: (e) => events.push(e) });
    const entries = [entry('ses_1', 'running'), entry('ses_2', 'idle')];
    live.track(entries, (id) => entries.find((e) => e.id === id)?.title);
    h.post(approvalChannelName('ses_1'), pending('spn_a'));
    // The relay repeats its list when another tab asks, and publishes again when one is answered.
    h.post(approvalChannelName('ses_1'), pending('spn_a'));
    h.post(approvalChannelName('ses_1'), pending('spn_a', 'spn_b'));
    h.post(approvalChannelName('ses_1'), { type: 'query' });
    h.post(approvalChannelName('ses_2'), pending('spn_c'));
    expect(events.map((e) => [e.id, e.title, e.body])).toEqual([
      [
        'approval:ses_1:spn_a',
        'Approval waiting in “Title of ses_1”',
        'run_command needs your go-ahead before the agent can go on.',
      ],
      [
        'approval:ses_1:spn_b',
        'Approval waiting in “Title of ses_1”',
        'run_command needs your go-ahead before the agent can go on.',
      ],
    ]);
  });

  it('closes the channel of a session that stopped running', () => {
    const h = hub();
    const live = new LiveApprovals({ openChannel: h.openChannel, emit: () => {} });
    live.track([entry('ses_1', 'running')], () => undefined);
    expect(h.openCount(approvalChannelName('ses_1'))).toBe(1);
    live.track([entry('ses_1', 'idle')], () => undefined);
    expect(h.openCount(approvalChannelName('ses_1'))).toBe(0);
    live.track([entry('ses_1', 'running')], () => undefined);
    live.close();
    expect(h.openCount(approvalChannelName('ses_1'))).toBe(0);
  });
});
