// Where long text folds: after `maxLines` lines or `maxChars` characters, whichever comes first.

/** The head to show folded, and whether anything was left out. */
export function foldText(text: string, maxLines: number, maxChars: number): { head: string; folded: boolean } {
  let head = text.length > maxChars ? text.slice(0, maxChars) : text;
  let at = -1;
  for (let i = 0; i < maxLines; i++) {
    at = head.indexOf('\n', at + 1);
    if (at === -1) break;
  }
  if (at !== -1 && at < head.length - 1) head = head.slice(0, at);
  return { head, folded: head.length < text.length };
}
