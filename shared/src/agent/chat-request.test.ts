import { describe, expect, it } from 'vitest';
import type { Attachment, Message } from '../doc/session-schema.ts';
import { base64, loadAttachmentBytes } from './attachment-parts.ts';
import { buildChatRequest } from './chat-request.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3]);
const TEXT = new TextEncoder().encode('{"a": 1}\n');
const IMG_HASH = 'a'.repeat(64);
const TXT_HASH = 'b'.repeat(64);

const image: Attachment = { sha256: IMG_HASH, mime: 'image/png', name: 'shot.png', bytes: PNG.length, kind: 'image' };
const textFile: Attachment = {
  sha256: TXT_HASH,
  mime: 'text/plain',
  name: 'data.json',
  bytes: TEXT.length,
  kind: 'text',
};

function user(text: string, attachments?: Attachment[]): Message {
  return { id: 'msg_1', role: 'user', createdAt: 0, turn: 1, status: 'done', text, reasoning: '', attachments };
}

const bytes = new Map([
  [IMG_HASH, PNG],
  [TXT_HASH, TEXT],
]);

describe('chat request: attachments', () => {
  it('sends a message without attachments as plain text', () => {
    const req = buildChatRequest([user('hi')], { model: 'm' });
    expect(req.messages).toEqual([{ role: 'user', content: 'hi' }]);
  });

  it('sends an image as an image_url part with a data URI of its bytes', () => {
    const req = buildChatRequest([user('what is this?', [image])], { model: 'm', attachmentBytes: bytes });
    expect(req.messages[0]).toEqual({
      role: 'user',
      content: [
        { type: 'text', text: 'what is this?' },
        { type: 'image_url', image_url: { url: `data:image/png;base64,${Buffer.from(PNG).toString('base64')}` } },
      ],
    });
  });

  it('sends a text file as a text part with its name', () => {
    const req = buildChatRequest([user('check', [textFile])], { model: 'm', attachmentBytes: bytes });
    const content = req.messages[0]?.content;
    expect(Array.isArray(content) && content[1]).toEqual({
      type: 'text',
      text: 'File: data.json\n```\n{"a": 1}\n\n```',
    });
  });

  it('never drops an image silently: a model without vision and missing bytes each get a note', () => {
    const noVision = buildChatRequest([user('x', [image])], { model: 'm', attachmentBytes: bytes, vision: false });
    expect(JSON.stringify(noVision.messages)).toContain('not sent: this model does not accept images');
    const missing = buildChatRequest([user('x', [image])], { model: 'm' });
    expect(JSON.stringify(missing.messages)).toContain('not available on this device');
  });

  it('loads each attachment once through loadBlob', async () => {
    const asked: string[] = [];
    const got = await loadAttachmentBytes([user('a', [image, textFile]), user('b', [image])], async (h) => {
      asked.push(h);
      return bytes.get(h);
    });
    expect(asked.sort()).toEqual([IMG_HASH, TXT_HASH]);
    expect(got.get(IMG_HASH)).toEqual(PNG);
  });

  it('encodes base64 like the platform for every padding length', () => {
    for (const n of [0, 1, 2, 3, 4, 5, 100, 20_000]) {
      const b = new Uint8Array(n).map((_, i) => (i * 37 + 11) & 255);
      expect(base64(b)).toBe(Buffer.from(b).toString('base64'));
    }
  });
});
