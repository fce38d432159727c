// The attachments of the message being written: files from paste, drop or the picker are prepared (checked,
// downscaled, stored as blobs) as they arrive; the composer sends the references of the ready ones.
import type { Attachment } from '@boocode/shared/doc/session-schema';
import { type ClipboardEvent, type DragEvent, useCallback, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { MAX_ATTACHMENTS } from './attachment-limits.ts';
import { blobSyncOf } from './blob-sync.ts';
import { filesOf, nameOf, prepareAttachment } from './prepare-attachment.ts';

export interface DraftAttachment {
  id: number;
  name: string;
  attachment?: Attachment;
}

export interface ComposerAttachments {
  drafts: DraftAttachment[];
  /** Refusals and notes in words, newest last. */
  notices: string[];
  dismissNotices(): void;
  /** Files still being checked or downscaled: sending waits for them. */
  processing: boolean;
  ready: Attachment[];
  add(files: File[]): void;
  remove(id: number): void;
  clear(): void;
  onPaste(e: ClipboardEvent): void;
  dragging: boolean;
  dropHandlers: {
    onDragOver(e: DragEvent): void;
    onDragLeave(e: DragEvent): void;
    onDrop(e: DragEvent): void;
  };
}

let nextId = 1;

export function useComposerAttachments(): ComposerAttachments {
  const { db, store } = useServices();
  const [drafts, setDrafts] = useState<DraftAttachment[]>([]);
  const [notices, setNotices] = useState<string[]>([]);
  const [dragging, setDragging] = useState(false);
  const note = useCallback((m: string) => setNotices((n) => [...n.slice(-3), m]), []);

  const prepareOne = useCallback(
    async (id: number, file: File, name: string) => {
      let result: Awaited<ReturnType<typeof prepareAttachment>>;
      try {
        result = await prepareAttachment(db, file, name);
      } catch (e) {
        result = { ok: false, message: `${name} could not be attached: ${e instanceof Error ? e.message : String(e)}` };
      }
      if (!result.ok) {
        setDrafts((ds) => ds.filter((d) => d.id !== id));
        note(result.message);
        return;
      }
      const { attachment } = result;
      setDrafts((ds) => {
        if (ds.some((d) => d.id !== id && d.attachment?.sha256 === attachment.sha256)) {
          note(`${name} is already attached to this message.`);
          return ds.filter((d) => d.id !== id);
        }
        return ds.map((d) => (d.id === id ? { ...d, attachment } : d));
      });
      if (attachment.kind === 'image') blobSyncOf(db, store.status).flush();
    },
    [db, store, note],
  );

  const add = useCallback(
    (files: File[]) => {
      setNotices([]);
      const room = MAX_ATTACHMENTS - drafts.length;
      if (files.length > room)
        note(`A message takes at most ${MAX_ATTACHMENTS} attachments; ${files.length - Math.max(0, room)} left out.`);
      const accepted = files
        .slice(0, Math.max(0, room))
        .map((file, i) => ({ id: nextId++, file, name: nameOf(file, i) }));
      setDrafts((ds) => [...ds, ...accepted.map(({ id, name }) => ({ id, name }))]);
      for (const a of accepted) void prepareOne(a.id, a.file, a.name);
    },
    [drafts.length, note, prepareOne],
  );

  return {
    drafts,
    notices,
    dismissNotices: () => setNotices([]),
    processing: drafts.some((d) => !d.attachment),
    ready: drafts.flatMap((d) => d.attachment ?? []),
    add,
    remove: (id) => setDrafts((ds) => ds.filter((d) => d.id !== id)),
    clear: () => {
      setDrafts([]);
      setNotices([]);
    },
    onPaste: (e) => {
      const files = filesOf(e.clipboardData);
      if (!files.length) return; // plain text: the textarea takes it
      e.preventDefault();
      add(files);
    },
    dragging,
    dropHandlers: {
      onDragOver: (e) => {
        if (![...e.dataTransfer.types].includes('Files')) return;
        e.preventDefault();
        setDragging(true);
      },
      onDragLeave: () => setDragging(false),
      onDrop: (e) => {
        const files = filesOf(e.dataTransfer);
        setDragging(false);
        if (!files.length) return;
        e.preventDefault();
        add(files);
      },
    },
  };
}
