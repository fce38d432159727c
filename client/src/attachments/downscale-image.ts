// Shrinks an image in the browser before it is stored and sent: longest side at most MAX_IMAGE_SIDE, aspect
// kept, and at most the blob cap. An image already inside both limits is kept byte for byte (an animated
// GIF stays animated); a re-encoded GIF becomes a PNG of its first frame.
import { type AllowedImageType, sniffImageType } from '@boocode/shared/blobs/sniff-image-type';
import { MAX_IMAGE_SIDE, MAX_STORED_IMAGE_BYTES } from './attachment-limits.ts';

export interface ScaledImage {
  bytes: Uint8Array;
  mime: AllowedImageType;
  width: number;
  height: number;
  originalWidth: number;
  originalHeight: number;
}

export class ImageDecodeError extends Error {
  override readonly name = 'ImageDecodeError';
}

export async function downscaleImage(
  bytes: Uint8Array,
  mime: AllowedImageType,
  maxSide: number = MAX_IMAGE_SIDE,
): Promise<ScaledImage> {
  let bitmap: ImageBitmap;
  try {
    bitmap = await createImageBitmap(new Blob([bytes as BlobPart], { type: mime }));
  } catch {
    throw new ImageDecodeError('The image could not be decoded (it may be damaged or truncated).');
  }
  try {
    const original = { originalWidth: bitmap.width, originalHeight: bitmap.height };
    const scale = Math.min(1, maxSide / Math.max(bitmap.width, bitmap.height));
    if (scale === 1 && bytes.length <= MAX_STORED_IMAGE_BYTES)
      return { bytes, mime, width: bitmap.width, height: bitmap.height, ...original };
    const width = Math.max(1, Math.round(bitmap.width * scale));
    const height = Math.max(1, Math.round(bitmap.height * scale));
    const target: AllowedImageType = mime === 'image/gif' ? 'image/png' : mime;
    let out = await encode(bitmap, width, height, target, 0.9);
    // Photos saved as PNG can stay above the cap at 2048 px: JPEG brings them down.
    if (out.length > MAX_STORED_IMAGE_BYTES) out = await encode(bitmap, width, height, 'image/jpeg', 0.85);
    const outMime = sniffImageType(out);
    if (!outMime) throw new ImageDecodeError('The browser produced an unexpected image format while downscaling.');
    return { bytes: out, mime: outMime, width, height, ...original };
  } finally {
    bitmap.close();
  }
}

async function encode(
  bitmap: ImageBitmap,
  width: number,
  height: number,
  type: string,
  quality: number,
): Promise<Uint8Array> {
  if (typeof OffscreenCanvas !== 'undefined') {
    const canvas = new OffscreenCanvas(width, height);
    const ctx = canvas.getContext('2d');
    if (!ctx) throw new ImageDecodeError('No 2D canvas is available to downscale the image.');
    ctx.imageSmoothingQuality = 'high';
    ctx.drawImage(bitmap, 0, 0, width, height);
    return new Uint8Array(await (await canvas.convertToBlob({ type, quality })).arrayBuffer());
  }
  const canvas = document.createElement('canvas');
  canvas.width = width;
  canvas.height = height;
  const ctx = canvas.getContext('2d');
  if (!ctx) throw new ImageDecodeError('No 2D canvas is available to downscale the image.');
  ctx.imageSmoothingQuality = 'high';
  ctx.drawImage(bitmap, 0, 0, width, height);
  const blob = await new Promise<Blob | null>((resolve) => canvas.toBlob(resolve, type, quality));
  if (!blob) throw new ImageDecodeError('The browser could not encode the downscaled image.');
  return new Uint8Array(await blob.arrayBuffer());
}
