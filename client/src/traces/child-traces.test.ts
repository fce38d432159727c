import { initSessionMeta } from '@boocode/shared/doc/session';
import type { SessionMeta } from '@boocode/shared/doc/session-schema';
import { closeSpan, openSpan } from '@boocode/shared/doc/spans';
import { describe, expect, it } from 'vitest';
import * as Y from 'yjs';
import type { DocHandle } from '../docs/doc-store.ts';
import { ChildTraceSources } from './child-traces.ts';

/** A doc store's openDoc over plain Y.Docs, counting handles, with loading finished by hand. */
function fakeStore() {
  const docs = new Map<string, Y.Doc>();
  const loads = new Map<string, () => void>();
  const refs = new Map<string, number>();
  const openDoc = (name: string): DocHandle => {
    const doc = docs.get(name) ?? new Y.Doc();
    docs.set(name, doc);
    refs.set(name, (refs.get(name) ?? 0) + 1);
    const whenLoaded = new Promise<void>((resolve) => loads.set(name, resolve));
    let released = false;
    return {
      name,
      doc,
      whenLoaded,
      release: () => {
        expect(released).toBe(false);
        released = true;
        refs.set(name, refs.get(name)! - 1);
      },
    };
  };
  const doc = (name: string) => {
    const d = docs.get(name) ?? new Y.Doc();
    docs.set(name, d);
    return d;
  };
  return { openDoc, doc, refs, load: async (name: string) => loads.get(name)?.() };
}

const meta = (id: string) => ({ id, title: 'child', kind: 'chat', createdAt: 0, provider: 'deepseek' }) as SessionMeta;
const tick = () => new Promise((r) => setTimeout(r, 0));

describe('ChildTraceSources', () => {
  it('says loading, then the spans once loaded, and follows them as they stream', async () => {
    const store = fakeStore();
    const sources = new ChildTraceSources(store.openDoc, (e) => {
      throw e;
    });
    let changes = 0;
    sources.subscribe(() => changes++);
    sources.setOpen(['ses_c']);
    expect(sources.getSnapshot().get('ses_c')?.status).toBe('loading');

    const doc = store.doc('session:ses_c');
    initSessionMeta(doc, meta('ses_c'));
    await store.load('session:ses_c');
    await tick();
    expect(sources.getSnapshot().get('ses_c')).toMatchObject({ status: 'ready', spans: [], provider: 'deepseek' });

    const statuses = () =>
      sources
        .getSnapshot()
        .get('ses_c')
        ?.spans.map((s) => s.status);
    openSpan(doc, { id: 'spn_1', kind: 'model', name: 'm', turn: 0, startedAt: 10 });
    expect(statuses()).toEqual(['open']);
    closeSpan(doc, 'spn_1', { status: 'ok', endedAt: 20 });
    expect(statuses()).toEqual(['ok']);
    expect(changes).toBeGreaterThanOrEqual(4);
  });

  it('says missing when the session is not on this device, until sync brings it', async () => {
    const store = fakeStore();
    const sources = new ChildTraceSources(store.openDoc, () => {});
    sources.setOpen(['ses_far']);
    await store.load('session:ses_far');
    await tick();
    expect(sources.getSnapshot().get('ses_far')?.status).toBe('missing');
    initSessionMeta(store.doc('session:ses_far'), meta('ses_far'));
    expect(sources.getSnapshot().get('ses_far')?.status).toBe('ready');
  });

  it('releases each handle once: when a child is no longer asked for, and on dispose', () => {
    const store = fakeStore();
    const sources = new ChildTraceSources(store.openDoc, () => {});
    sources.setOpen(['ses_a', 'ses_b']);
    sources.setOpen(['ses_a', 'ses_b']);
    expect(store.refs.get('session:ses_a')).toBe(1);
    sources.setOpen(['ses_a']);
    expect(store.refs.get('session:ses_b')).toBe(0);
    expect([...sources.getSnapshot().keys()]).toEqual(['ses_a']);
    sources.dispose();
    expect(store.refs.get('session:ses_a')).toBe(0);
    expect(sources.getSnapshot().size).toBe(0);
    // Opened again after dispose (React's strict mode remounts effects): a fresh handle.
    sources.setOpen(['ses_a']);
    expect(store.refs.get('session:ses_a')).toBe(1);
  });
});
