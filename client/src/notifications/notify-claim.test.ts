import { describe, expect, it } from 'vitest';
import { type ClaimDeps, claimEvent, HIDDEN_TAB_DELAY_MS } from './notify-claim.ts';

/** Tabs of one device: a shared claims table, a fake clock, a lock that runs one holder at a time. */
function device() {
  const claims = new Set<string>();
  let now = 0;
  let timers: { at: number; fire: () => void }[] = [];
  let lock: Promise<unknown> = Promise.resolve();
  const tab = (visible: boolean): ClaimDeps => ({
    isVisible: () => visible,
    wait: (ms) => new Promise((resolve) => timers.push({ at: now + ms, fire: () => resolve() })),
    tryInsert: async (id) => {
      if (claims.has(id)) return false;
      claims.add(id);
      return true;
    },
    exclusive: (fn) => {
      const run = lock.then(fn);
      lock = run.catch(() => {});
      return run;
    },
  });
  const advance = async (ms: number) => {
    now += ms;
    const due = timers.filter((t) => t.at <= now);
    timers = timers.filter((t) => t.at > now);
    for (const t of due) t.fire();
    await new Promise((r) => setTimeout(r, 0));
  };
  return { tab, advance, claims };
}

describe('claimEvent', () => {
  it('lets exactly one of several tabs claim an event', async () => {
    const d = device();
    const tabs = [d.tab(true), d.tab(true), d.tab(true)];
    const results = await Promise.all(tabs.map((t) => claimEvent(t, 'subagent:ses_1:done')));
    expect(results.filter(Boolean)).toHaveLength(1);
  });

  it('gives the event to a visible tab even when a hidden tab saw it first', async () => {
    const d = device();
    const hidden = claimEvent(d.tab(false), 'workflow:wfr_1:1:completed');
    const visible = claimEvent(d.tab(true), 'workflow:wfr_1:1:completed');
    expect(await visible).toBe(true);
    await d.advance(HIDDEN_TAB_DELAY_MS);
    expect(await hidden).toBe(false);
  });

  it('lets a hidden tab claim when no tab is visible, after the delay', async () => {
    const d = device();
    let settled = false;
    const hidden = claimEvent(d.tab(false), 'approval:ses_1:5').then((won) => {
      settled = true;
      return won;
    });
    const other = claimEvent(d.tab(false), 'approval:ses_1:5');
    await d.advance(HIDDEN_TAB_DELAY_MS - 1);
    expect(settled).toBe(false);
    await d.advance(1);
    expect([await hidden, await other].filter(Boolean)).toHaveLength(1);
  });

  it('claims different events independently', async () => {
    const d = device();
    const t = d.tab(true);
    expect(await claimEvent(t, 'subagent:ses_1:done')).toBe(true);
    expect(await claimEvent(t, 'subagent:ses_1:failed')).toBe(true);
    expect(await claimEvent(t, 'subagent:ses_1:done')).toBe(false);
  });
});
