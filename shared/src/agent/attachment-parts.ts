// Turns a user message's attachments into chat content parts: images as `image_url` parts with a data URI,
// text files as text parts headed by their name. An attachment that cannot be sent (bytes missing on this
// device, a model without vision) becomes a text note saying so: the model is never silently given less.
import type { Attachment, Message } from '../doc/session-schema.ts';
import type { ChatContentPart } from '../model/model-client.ts';
import { utf8Decoder } from '../model/web-platform.ts';

export type AttachmentBytes = ReadonlyMap<string, Uint8Array>;

export interface PartOptions {
  bytes?: AttachmentBytes;
  /** False: images are replaced by a note (the model takes no images). Default true. */
  vision?: boolean;
}

/** Loads the bytes of every attachment of the messages (each hash once); missing ones are left out. */
export async function loadAttachmentBytes(
  messages: Message[],
  loadBlob: ((sha256: string) => Promise<Uint8Array | undefined>) | undefined,
): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (!loadBlob) return out;
  const hashes = new Set(messages.flatMap((m) => (m.attachments ?? []).map((a) => a.sha256)));
  for (const h of hashes) {
    const bytes = await loadBlob(h);
    if (bytes) out.set(h, bytes);
  }
  return out;
}

/** The user message's content: plain text without attachments, parts with them. */
export function userContent(m: Message, opts: PartOptions): string | ChatContentPart[] {
  const attachments = m.attachments ?? [];
  if (!attachments.length) return m.text;
  const parts: ChatContentPart[] = [];
  if (m.text) parts.push({ type: 'text', text: m.text });
  for (const a of attachments) parts.push(attachmentPart(a, opts));
  return parts;
}

function attachmentPart(a: Attachment, opts: PartOptions): ChatContentPart {
  const label = a.name ?? `${a.kind} ${a.sha256.slice(0, 12)}`;
  const bytes = opts.bytes?.get(a.sha256);
  if (a.kind === 'image' && opts.vision === false)
    return { type: 'text', text: `[Image "${label}" attached; not sent: this model does not accept images.]` };
  if (!bytes)
    return {
      type: 'text',
      text: `[${a.kind === 'image' ? 'Image' : 'File'} "${label}" attached; its content is not available on this device.]`,
    };
  if (a.kind === 'image') return { type: 'image_url', image_url: { url: `data:${a.mime};base64,${base64(bytes)}` } };
  return { type: 'text', text: `File: ${label}\n\`\`\`\n${utf8Decoder().decode(bytes)}\n\`\`\`` };
}

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** Standard base64 with padding; own code because `btoa` and `Buffer` are not isomorphic. */
export function base64(bytes: Uint8Array): string {
  const chunks: string[] = [];
  let line = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const a = bytes[i] ?? 0;
    const b = bytes[i + 1];
    const c = bytes[i + 2];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    line += ALPHABET.charAt((n >> 18) & 63) + ALPHABET.charAt((n >> 12) & 63);
    line += b === undefined ? '=' : ALPHABET.charAt((n >> 6) & 63);
    line += c === undefined ? '=' : ALPHABET.charAt(n & 63);
    if (line.length >= 8192) {
      chunks.push(line);
      line = '';
    }
  }
  chunks.push(line);
  return chunks.join('');
}
