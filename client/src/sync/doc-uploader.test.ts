// The leader keeps queued docs open (a few at a time) until none of their changes wait, skips a doc the
// server refused, and lets everything go when it stops leading.
import { describe, expect, it } from 'vitest';
import { DocUploader } from './doc-uploader.ts';
import type { SyncStatus } from './sync-status.ts';

function fakeStore() {
  const open = new Map<string, number>();
  const statuses = new Map<string, SyncStatus>();
  const rechecked: string[] = [];
  let uploader: DocUploader | undefined;
  const server = { set: true };
  const deps = {
    maxOpen: 2,
    canUpload: () => server.set,
    open: (name: string) => {
      open.set(name, (open.get(name) ?? 0) + 1);
      statuses.set(name, 'syncing');
      // Opening a doc changes statuses, which the real store reports straight back.
      uploader?.statusChanged();
      let released = false;
      return {
        status: () => statuses.get(name),
        release: () => {
          if (released) throw new Error(`${name} released twice`);
          released = true;
          const refs = (open.get(name) ?? 0) - 1;
          if (refs) open.set(name, refs);
          else open.delete(name);
        },
      };
    },
    recheck: (name: string) => rechecked.push(name),
  };
  uploader = new DocUploader(deps);
  return { uploader, open, statuses, rechecked, server };
}

describe('DocUploader', () => {
  it('opens queued docs up to the limit and the next ones as earlier ones are stored', () => {
    const s = fakeStore();
    s.uploader.setQueued(['session:1', 'session:2', 'session:3']);
    expect([...s.open.keys()]).toEqual(['session:1', 'session:2']);
    s.uploader.setQueued(['session:2', 'session:3']);
    expect([...s.open.keys()].sort()).toEqual(['session:2', 'session:3']);
    s.uploader.setQueued([]);
    expect(s.open.size).toBe(0);
  });

  it('sets a refused doc aside so the others still go, until the sync target changes', () => {
    const s = fakeStore();
    s.uploader.setQueued(['session:big', 'session:2', 'session:3']);
    s.statuses.set('session:big', 'refused');
    s.uploader.statusChanged();
    expect([...s.open.keys()].sort()).toEqual(['session:2', 'session:3']);
    s.uploader.setQueued(['session:big']);
    expect(s.open.size).toBe(0);
    s.uploader.targetChanged();
    expect([...s.open.keys()]).toEqual(['session:big']);
  });

  it('holds nothing open while no server is set, and starts when one is', () => {
    const s = fakeStore();
    s.server.set = false;
    s.uploader.setQueued(['space']);
    expect(s.open.size).toBe(0);
    s.server.set = true;
    s.uploader.targetChanged();
    expect([...s.open.keys()]).toEqual(['space']);
    s.server.set = false;
    s.uploader.targetChanged();
    expect(s.open.size).toBe(0);
  });

  it('rechecks the docs it holds on each tick', () => {
    const s = fakeStore();
    s.uploader.setQueued(['space', 'session:1']);
    s.uploader.tick();
    expect(s.rechecked.sort()).toEqual(['session:1', 'space']);
  });

  it('lets every doc go when it stops leading, and opens nothing after', () => {
    const s = fakeStore();
    s.uploader.setQueued(['space', 'session:1']);
    s.uploader.stop();
    expect(s.open.size).toBe(0);
    s.uploader.setQueued(['session:9']);
    expect(s.open.size).toBe(0);
  });
});
