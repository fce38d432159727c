// A file change as a small unified diff (hunks only, no file headers): the runner attaches it to a
// write_file result and the chat draws edit_file calls from their arguments with it. The text is capped,
// and a change too large to diff cheaply is reported as such instead of stalling the caller.
import { structuredPatch } from 'diff';

export interface FileDiff {
  /** Hunks in unified format: `@@ -a,b +c,d @@`, then lines starting with ' ', '-' or '+'. */
  text: string;
  /** True when hunks were left out to stay under the cap (or the change was too large to diff). */
  truncated: boolean;
  added: number;
  removed: number;
}

/** Edit distance beyond which the diff is not computed (Myers' cost grows with it). */
const MAX_EDIT_LENGTH = 1000;

export function fileDiff(oldText: string, newText: string, maxChars = 4000, context = 3): FileDiff {
  const patch = structuredPatch('a', 'b', oldText, newText, undefined, undefined, {
    context,
    maxEditLength: MAX_EDIT_LENGTH,
  });
  if (!patch) return { text: '', truncated: true, added: 0, removed: 0 };
  let text = '';
  let truncated = false;
  let added = 0;
  let removed = 0;
  for (const h of patch.hunks) {
    for (const l of h.lines) {
      if (l.startsWith('+')) added++;
      else if (l.startsWith('-')) removed++;
    }
    if (truncated) continue;
    const hunk = [`@@ -${h.oldStart},${h.oldLines} +${h.newStart},${h.newLines} @@`, ...h.lines].join('\n');
    const next = text ? `${text}\n${hunk}` : hunk;
    if (next.length > maxChars) {
      truncated = true;
      // The first hunk is kept even when long, cut at a line, so a diff never comes back empty-handed.
      if (!text) text = cutAtLine(hunk, maxChars);
      continue;
    }
    text = next;
  }
  return { text, truncated, added, removed };
}

function cutAtLine(s: string, max: number): string {
  const cut = s.slice(0, max);
  const nl = cut.lastIndexOf('\n');
  return nl > 0 ? cut.slice(0, nl) : cut;
}

export type DiffLineKind = 'hunk' | 'add' | 'remove' | 'context' | 'note';

/** Classifies the lines of a unified diff for drawing (the "\ No newline at end of file" marker is a note). */
export function diffLines(text: string): { kind: DiffLineKind; text: string }[] {
  if (!text) return [];
  return text.split('\n').map((line) => {
    const c = line[0];
    const kind: DiffLineKind =
      c === '@' ? 'hunk' : c === '+' ? 'add' : c === '-' ? 'remove' : c === '\\' ? 'note' : 'context';
    return { kind, text: line };
  });
}
