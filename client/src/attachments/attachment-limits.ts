// The limits an attachment must fit, in one place so the messages that explain them quote the same numbers.
import { BLOB_DEFAULT_MAX_BYTES } from '@boocode/shared/protocol/blobs';

/** A picked or pasted image larger than this is refused before it is even decoded. */
export const MAX_IMAGE_INPUT_BYTES = 40 * 1024 * 1024;
/** What is stored and sent: the sync server's blob cap. A downscaled image larger than this is re-encoded. */
export const MAX_STORED_IMAGE_BYTES = BLOB_DEFAULT_MAX_BYTES;
/** Longest side of an image as sent; larger ones are downscaled in the browser (providers resize above ~2k). */
export const MAX_IMAGE_SIDE = 2048;
/** A text file is sent whole inside the prompt, so it must stay small. */
export const MAX_TEXT_BYTES = 256 * 1024;
/** Attachments on one message. */
export const MAX_ATTACHMENTS = 10;

export function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(n < 10 * 1024 ? 1 : 0)} KB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MB`;
}
