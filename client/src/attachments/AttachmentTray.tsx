// The composer's attachments before sending: a thumbnail per file with its sizes and a remove button,
// refusals in words, and a warning when the chosen model does not take images (never a silent drop).
import type { Attachment } from '@boocode/shared/doc/session-schema';
import { modelSupportsVision } from '@boocode/shared/model/providers';
import { useRef } from 'react';
import { useModelSettings } from '../chat/chat-hooks.ts';
import { entryOf } from '../chat/model-access.ts';
import { formatBytes } from './attachment-limits.ts';
import { useBlobUrl } from './use-blob-url.ts';
import type { ComposerAttachments } from './use-composer-attachments.ts';

export function AttachmentTray({ attachments }: { attachments: ComposerAttachments }) {
  const { drafts, notices, ready } = attachments;
  const settings = useModelSettings();
  const hasImages = ready.some((a) => a.kind === 'image');
  const entry = settings && entryOf(settings.provider, settings.runnerProviders);
  const vision = settings && hasImages && entry ? modelSupportsVision(entry, settings.model) : true;
  if (!drafts.length && !notices.length) return null;
  return (
    <div className="attach-tray" data-testid="attach-tray">
      {drafts.length > 0 && (
        <ul className="attach-drafts">
          {drafts.map((d) => (
            <li
              key={d.id}
              className="attach-draft"
              data-testid="attach-draft"
              data-state={d.attachment ? 'ready' : 'processing'}
            >
              {d.attachment ? (
                <DraftPreview attachment={d.attachment} />
              ) : (
                <span className="attach-thumb muted">…</span>
              )}
              <span className="attach-caption">
                <span className="attach-name" title={d.name}>
                  {d.name}
                </span>
                <span className="muted">{d.attachment ? sizeLine(d.attachment) : 'checking…'}</span>
                {d.attachment && originalLine(d.attachment) && (
                  <span className="muted">{originalLine(d.attachment)}</span>
                )}
              </span>
              <button
                type="button"
                className="attach-remove"
                aria-label={`Remove ${d.name}`}
                title="Remove"
                data-testid="attach-remove"
                onClick={() => attachments.remove(d.id)}
              >
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      {vision === false && settings && (
        <p className="attach-warning" role="alert" data-testid="vision-warning">
          {settings.model} does not accept images: they would reach it only as a note that an image was attached. Pick a
          vision model to send them.
        </p>
      )}
      {vision === undefined && settings && (
        <p className="attach-warning muted" data-testid="vision-warning">
          Whether {settings.model || 'this model'} accepts images is not known; a model without vision may refuse the
          request.
        </p>
      )}
      {notices.map((n) => (
        <p key={n} className="error-text attach-error" role="alert" data-testid="attach-error">
          {n}
        </p>
      ))}
    </div>
  );
}

function DraftPreview({ attachment }: { attachment: Attachment }) {
  const blob = useBlobUrl(attachment.sha256);
  if (attachment.kind === 'text') return <span className="attach-thumb attach-file">TXT</span>;
  if (blob.state !== 'ready') return <span className="attach-thumb muted">…</span>;
  return <img className="attach-thumb" src={blob.url} alt={attachment.name ?? 'image'} data-testid="attach-thumb" />;
}

const dims = (w?: number, h?: number) => (w && h ? `${w}×${h} · ` : '');

/** `2048×1536 · 1.2 MB`: what is stored and sent. */
export function sizeLine(a: Attachment): string {
  return `${dims(a.width, a.height)}${formatBytes(a.bytes)}`;
}

/** `original 4032×3024 · 4.8 MB` for a downscaled image, else undefined. */
export function originalLine(a: Attachment): string | undefined {
  if (a.originalBytes === undefined) return undefined;
  return `original ${dims(a.originalWidth, a.originalHeight)}${formatBytes(a.originalBytes)}`;
}

/** Both lines in one, for titles and the viewer. */
export function sizeSummary(a: Attachment): string {
  const o = originalLine(a);
  return o ? `${sizeLine(a)} (${o})` : sizeLine(a);
}

/** The composer's paperclip: a hidden file input behind a button. */
export function AttachButton({ onFiles, disabled }: { onFiles(files: File[]): void; disabled?: boolean }) {
  const input = useRef<HTMLInputElement>(null);
  return (
    <>
      <button
        type="button"
        className="attach-button"
        onClick={() => input.current?.click()}
        disabled={disabled}
        title="Attach images (PNG, JPEG, WebP, GIF) or text files; you can also paste or drop them"
        data-testid="attach-button"
      >
        Attach
      </button>
      <input
        ref={input}
        type="file"
        multiple
        hidden
        data-testid="attach-input"
        onChange={(e) => {
          const files = [...(e.target.files ?? [])];
          e.target.value = '';
          if (files.length) onFiles(files);
        }}
      />
    </>
  );
}
