// One uploader per browser profile: tabs elect it with a Web Lock, and when its tab goes another takes
// over. The lock manager here is a fake with the Web Locks rules that matter (one holder per name, the
// waiters served in order, a closed tab's locks and requests gone), so tabs can be opened and closed.
import { describe, expect, it } from 'vitest';
import { aliveTabs, electUploader, holdTabPresence, type LockRequester } from './upload-leader.ts';

interface Request {
  tab: string;
  name: string;
  callback: () => Promise<unknown>;
  resolve: (v: unknown) => void;
  reject: (e: unknown) => void;
}

function fakeLocks() {
  const held = new Map<string, Request>();
  let queue: Request[] = [];
  const grant = () => {
    for (const r of [...queue]) {
      if (held.has(r.name)) continue;
      queue = queue.filter((q) => q !== r);
      held.set(r.name, r);
      r.callback().then(
        (v) => release(r, v),
        (e: unknown) => release(r, undefined, e),
      );
    }
  };
  const release = (r: Request, value?: unknown, error?: unknown) => {
    if (held.get(r.name) !== r) return;
    held.delete(r.name);
    if (error) r.reject(error);
    else r.resolve(value);
    grant();
  };
  return {
    forTab(tab: string): LockRequester {
      return {
        request: (name, { signal }, callback) =>
          new Promise((resolve, reject) => {
            const r: Request = { tab, name, callback, resolve, reject };
            signal?.addEventListener('abort', () => {
              if (!queue.includes(r)) return;
              queue = queue.filter((q) => q !== r);
              reject(new DOMException('aborted', 'AbortError'));
            });
            queue.push(r);
            grant();
          }),
        query: async () => ({ held: [...held.keys()].map((name) => ({ name })) }),
      };
    },
    /** The browser drops a closed tab's locks and pending requests. */
    closeTab(tab: string) {
      queue = queue.filter((r) => r.tab !== tab);
      for (const r of [...held.values()]) if (r.tab === tab) release(r);
    },
  };
}

const settle = () => new Promise((r) => setTimeout(r, 0));

describe('electUploader', () => {
  it('runs the uploader in exactly one of two tabs, and in the other once the first closes', async () => {
    const locks = fakeLocks();
    const running = new Set<string>();
    const stopped: string[] = [];
    const lead = (tab: string) => () => {
      running.add(tab);
      return () => {
        running.delete(tab);
        stopped.push(tab);
      };
    };
    electUploader(locks.forTab('a'), lead('a'));
    electUploader(locks.forTab('b'), lead('b'));
    await settle();
    expect([...running]).toEqual(['a']);

    locks.closeTab('a');
    running.delete('a'); // a closed tab runs nothing
    await settle();
    expect([...running]).toEqual(['b']);
  });

  it('hands over when the leading tab stops on its own, and a stopped waiter never leads', async () => {
    const locks = fakeLocks();
    const running = new Set<string>();
    const lead = (tab: string) => () => {
      running.add(tab);
      return () => running.delete(tab);
    };
    const stopA = electUploader(locks.forTab('a'), lead('a'));
    const stopB = electUploader(locks.forTab('b'), lead('b'));
    electUploader(locks.forTab('c'), lead('c'));
    await settle();
    stopB();
    stopA();
    await settle();
    expect([...running]).toEqual(['c']);
  });
});

describe('tab presence', () => {
  it('tells live tabs from closed ones', async () => {
    const locks = fakeLocks();
    holdTabPresence(locks.forTab('a'), 'tab-a');
    const leaveB = holdTabPresence(locks.forTab('b'), 'tab-b');
    holdTabPresence(locks.forTab('c'), 'tab-c');
    await settle();
    expect(await aliveTabs(locks.forTab('a'))).toEqual(new Set(['tab-a', 'tab-b', 'tab-c']));
    locks.closeTab('a');
    leaveB();
    await settle();
    expect(await aliveTabs(locks.forTab('c'))).toEqual(new Set(['tab-c']));
  });
});
