// A message's attachments in its bubble: images as thumbnails (from this device's blobs, fetched from the
// server when another device attached them) that open a larger view, text files as name chips.
import type { Attachment } from '@boocode/shared/doc/session-schema';
import { useEffect, useRef, useState } from 'react';
import { sizeSummary } from './AttachmentTray.tsx';
import { useBlobUrl } from './use-blob-url.ts';

export function MessageAttachments({ attachments }: { attachments: Attachment[] }) {
  const [open, setOpen] = useState<Attachment>();
  return (
    <div className="message-attachments" data-testid="message-attachments">
      {attachments.map((a) =>
        a.kind === 'image' ? (
          <ImageThumb key={a.sha256} attachment={a} onOpen={() => setOpen(a)} />
        ) : (
          <span key={a.sha256} className="message-file" title={sizeSummary(a)} data-testid="message-file">
            {a.name ?? 'file'} <span className="muted">{sizeSummary(a)}</span>
          </span>
        ),
      )}
      {open && <ImageViewer attachment={open} onClose={() => setOpen(undefined)} />}
    </div>
  );
}

function ImageThumb({ attachment, onOpen }: { attachment: Attachment; onOpen(): void }) {
  const blob = useBlobUrl(attachment.sha256);
  const label = attachment.name ?? 'image';
  if (blob.state !== 'ready')
    return (
      <span
        className="message-image placeholder muted"
        data-testid="message-image-missing"
        style={{ aspectRatio: ratio(attachment) }}
      >
        {blob.state === 'loading' ? '…' : 'Image not on this device yet'}
      </span>
    );
  return (
    <button
      type="button"
      className="message-image-button"
      onClick={onOpen}
      title={`${label} · ${sizeSummary(attachment)}`}
    >
      <img
        className="message-image"
        src={blob.url}
        alt={label}
        width={attachment.width}
        height={attachment.height}
        data-testid="message-image"
      />
    </button>
  );
}

function ratio(a: Attachment): string | undefined {
  return a.width && a.height ? `${a.width} / ${a.height}` : undefined;
}

/**
 * A modal dialog: Esc (the dialog's own cancel), the close button, or a click outside the image close it.
 * Esc stops at the dialog: the session view's own Esc (back to the list) must not see it.
 */
function ImageViewer({ attachment, onClose }: { attachment: Attachment; onClose(): void }) {
  const ref = useRef<HTMLDialogElement>(null);
  const blob = useBlobUrl(attachment.sha256);
  useEffect(() => {
    const d = ref.current;
    if (d && !d.open) d.showModal();
  }, []);
  return (
    <dialog
      ref={ref}
      className="image-viewer"
      aria-label={attachment.name ?? 'image'}
      data-testid="image-viewer"
      onClose={onClose}
      onKeyDown={(e) => {
        if (e.key === 'Escape') e.stopPropagation();
      }}
      onClick={(e) => {
        if (e.target === e.currentTarget) ref.current?.close();
      }}
    >
      {blob.state === 'ready' && <img src={blob.url} alt={attachment.name ?? 'image'} />}
      <div className="image-viewer-bar">
        <span>{attachment.name}</span>
        <span className="muted">{sizeSummary(attachment)}</span>
        <span className="spacer" />
        <button type="button" onClick={() => ref.current?.close()} data-testid="image-viewer-close">
          Close
        </button>
      </div>
    </dialog>
  );
}
