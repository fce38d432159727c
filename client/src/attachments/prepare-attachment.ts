// From a File the user gave to an Attachment reference plus its stored blob: classify by bytes, downscale
// images, hash, and write the blob to Dexie (once per hash). Only the reference goes into the message.
import { sha256Hex } from '@boocode/shared/blobs/sha256-hex';
import type { Attachment } from '@boocode/shared/doc/session-schema';
import type { LocalDb } from '../docs/local-db.ts';
import { putBlob } from './blob-store.ts';
import { classifyFile } from './classify-file.ts';
import { downscaleImage, ImageDecodeError } from './downscale-image.ts';

export type Prepared = { ok: true; attachment: Attachment } | { ok: false; message: string };

export async function prepareAttachment(db: LocalDb, file: Blob, name: string): Promise<Prepared> {
  const original = new Uint8Array(await file.arrayBuffer());
  const cls = classifyFile(original, name);
  if (cls.kind === 'refused') return { ok: false, message: cls.message };
  if (cls.kind === 'text') {
    const sha256 = await sha256Hex(original);
    // The server stores images only: a text file stays on this device (the turn is driven from here).
    await putBlob(db, { sha256, mime: 'text/plain', bytes: original, upload: 'local' });
    return { ok: true, attachment: { sha256, mime: 'text/plain', name, bytes: original.length, kind: 'text' } };
  }
  try {
    const img = await downscaleImage(original, cls.mime);
    const sha256 = await sha256Hex(img.bytes);
    await putBlob(db, { sha256, mime: img.mime, bytes: img.bytes, upload: 'pending' });
    const attachment: Attachment = {
      sha256,
      mime: img.mime,
      name,
      width: img.width,
      height: img.height,
      bytes: img.bytes.length,
      kind: 'image',
    };
    if (img.bytes !== original)
      Object.assign(attachment, {
        originalBytes: original.length,
        originalWidth: img.originalWidth,
        originalHeight: img.originalHeight,
      });
    return { ok: true, attachment };
  } catch (e) {
    if (e instanceof ImageDecodeError) return { ok: false, message: `${name || 'The image'}: ${e.message}` };
    throw e;
  }
}

/** The files of a paste or drop: image items first-class, plain text pastes left to the textarea. */
export function filesOf(data: DataTransfer | null): File[] {
  if (!data) return [];
  const files = [...data.files];
  if (files.length) return files;
  return [...data.items].filter((i) => i.kind === 'file').flatMap((i) => i.getAsFile() ?? []);
}

/** A name for a pasted image that came without one (screenshots paste as `image.png`). */
export function nameOf(file: File, index: number): string {
  if (file.name && file.name !== 'image.png') return file.name;
  const ext = file.type.split('/')[1] ?? 'png';
  return `pasted-${new Date().toISOString().slice(11, 19).replaceAll(':', '')}${index ? `-${index}` : ''}.${ext}`;
}
