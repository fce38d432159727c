// An object URL for a blob in Dexie, for <img>. A blob this device lacks (attached on another device) is
// fetched from the sync server, retrying with backoff while the view shows it; the URL is revoked after use.
import { liveQuery } from 'dexie';
import { useEffect, useRef, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import type { BlobRow } from '../docs/local-db.ts';
import { blobSyncOf } from './blob-sync.ts';

export type BlobUrlState = { state: 'loading' } | { state: 'ready'; url: string } | { state: 'missing' };

export function useBlobUrl(sha256: string): BlobUrlState {
  const { db, store } = useServices();
  const [row, setRow] = useState<BlobRow | null>();
  const rowRef = useRef<BlobRow | null>(undefined);
  rowRef.current = row;
  const [url, setUrl] = useState<string>();

  useEffect(() => {
    const sub = liveQuery(() => db.blobs.get(sha256)).subscribe({
      next: (r) => setRow(r ?? null),
      error: () => setRow(null),
    });
    return () => sub.unsubscribe();
  }, [db, sha256]);

  const present = row ? true : row === null ? false : undefined;
  useEffect(() => {
    if (present !== false) return;
    const sync = blobSyncOf(db, store.status);
    let stopped = false;
    let delay = 2000;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const attempt = async () => {
      if (stopped || (await sync.ensure(sha256)) || stopped) return;
      timer = setTimeout(attempt, delay);
      delay = Math.min(delay * 2, 30_000);
    };
    void attempt();
    return () => {
      stopped = true;
      clearTimeout(timer);
    };
  }, [db, store, sha256, present]);

  useEffect(() => {
    const r = rowRef.current;
    if (!present || !r) return;
    const u = URL.createObjectURL(r.bytes);
    setUrl(u);
    return () => {
      URL.revokeObjectURL(u);
      setUrl(undefined);
    };
  }, [present]);

  if (url) return { state: 'ready', url };
  return present === false ? { state: 'missing' } : { state: 'loading' };
}
