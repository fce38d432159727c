// Decides what a dropped, pasted or picked file is from its bytes, never from its name or declared type:
// an allowed raster image, a UTF-8 text file, or refused with a reason a user can act on.

import type { AllowedImageType } from '@boocode/shared/blobs/sniff-image-type';
import { sniffImageType } from '@boocode/shared/blobs/sniff-image-type';
import { formatBytes, MAX_IMAGE_INPUT_BYTES, MAX_TEXT_BYTES } from './attachment-limits.ts';

export type FileClass =
  | { kind: 'image'; mime: AllowedImageType }
  | { kind: 'text' }
  | { kind: 'refused'; code: 'ACTIVE_IMAGE' | 'TOO_LARGE' | 'BINARY' | 'EMPTY'; message: string };

/** The file's first bytes say whether it is an SVG (XML with an <svg> root), whatever it is called. */
function looksLikeSvg(head: string): boolean {
  const s = head
    .replace(/^\uFEFF/, '')
    .trimStart()
    .toLowerCase();
  if (s.startsWith('<svg')) return true;
  return (s.startsWith('<?xml') || s.startsWith('<!doctype svg') || s.startsWith('<!--')) && s.includes('<svg');
}

/** Valid UTF-8 without NUL bytes: what source, logs, JSON and Markdown are, and binaries are not. */
export function decodeText(bytes: Uint8Array, prefixOnly = false): string | undefined {
  if (bytes.includes(0)) return undefined;
  try {
    // `stream` lets a prefix end inside a multi-byte character without counting as invalid.
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: prefixOnly });
  } catch {
    return undefined;
  }
}

/** Image formats people attach that models and the server do not take, named so the refusal can say which. */
function otherImageFormat(b: Uint8Array): string | undefined {
  const ascii = (from: number, to: number) => String.fromCharCode(...b.subarray(from, to));
  if (ascii(4, 8) === 'ftyp') {
    const brand = ascii(8, 12);
    if (brand === 'avif' || brand === 'avis') return 'AVIF';
    if (['heic', 'heix', 'hevc', 'mif1', 'msf1'].includes(brand)) return 'HEIC';
  }
  // "BM" alone could start a text file: a real BMP has four reserved zero bytes at 6.
  if (ascii(0, 2) === 'BM' && b.length > 10 && b[6] === 0 && b[7] === 0 && b[8] === 0 && b[9] === 0) return 'BMP';
  if (ascii(0, 4) === 'II*\0' || ascii(0, 4) === 'MM\0*') return 'TIFF';
  return undefined;
}

export function classifyFile(bytes: Uint8Array, name: string): FileClass {
  const label = name || 'The file';
  if (bytes.length === 0) return { kind: 'refused', code: 'EMPTY', message: `${label} is empty.` };
  const mime = sniffImageType(bytes);
  if (mime) {
    if (bytes.length > MAX_IMAGE_INPUT_BYTES)
      return {
        kind: 'refused',
        code: 'TOO_LARGE',
        message: `${label} is ${formatBytes(bytes.length)}; images up to ${formatBytes(MAX_IMAGE_INPUT_BYTES)} can be attached.`,
      };
    return { kind: 'image', mime };
  }
  const other = otherImageFormat(bytes);
  if (other)
    return {
      kind: 'refused',
      code: 'BINARY',
      message: `${label} is a ${other} image, which is not accepted: attach a PNG, JPEG, WebP or GIF (export it or take a screenshot).`,
    };
  const text = decodeText(bytes.subarray(0, Math.min(bytes.length, MAX_TEXT_BYTES + 4)), true);
  if (text !== undefined && looksLikeSvg(text.slice(0, 4096)))
    return {
      kind: 'refused',
      code: 'ACTIVE_IMAGE',
      message: `${label} is an SVG image. SVG can carry scripts, so it is not accepted: attach a PNG, JPEG, WebP or GIF (for example a screenshot of it).`,
    };
  if (text !== undefined && bytes.length > MAX_TEXT_BYTES)
    return {
      kind: 'refused',
      code: 'TOO_LARGE',
      message: `${label} is ${formatBytes(bytes.length)}; text files up to ${formatBytes(MAX_TEXT_BYTES)} can be attached (the whole file goes into the prompt).`,
    };
  // The prefix may end inside a multi-byte character: only the whole file decides.
  if (text !== undefined && decodeText(bytes) !== undefined) return { kind: 'text' };
  return {
    kind: 'refused',
    code: 'BINARY',
    message: `${label} is neither an image (PNG, JPEG, WebP, GIF) nor a UTF-8 text file, so it cannot be attached.`,
  };
}
