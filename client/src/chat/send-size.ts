// The size past which the composer asks before sending: a message that large goes to the model on every
// later turn of the session (tokens, cost, context window), which the user may not have meant by a paste.

export const LARGE_MESSAGE_BYTES = 100 * 1024;

/** The message's UTF-8 size when it is over the limit (the warning says it), else undefined. */
export function oversizeBytes(text: string): number | undefined {
  // Cheap bound first: a UTF-16 code unit is at most 3 bytes in UTF-8, so a short text needs no encoding.
  if (text.length * 3 <= LARGE_MESSAGE_BYTES) return undefined;
  const bytes = new TextEncoder().encode(text).length;
  return bytes > LARGE_MESSAGE_BYTES ? bytes : undefined;
}

/** A rough token count for the warning (about 4 bytes a token for English and code). */
export function roughTokens(bytes: number): number {
  return Math.round(bytes / 4);
}
