// A file change as a diff: removed lines red with '-', added lines green with '+', hunk headers muted.
// The +/- stay in the text, so the change reads without colour too (and copies as a patch).
import { diffLines, type FileDiff } from '@boocode/shared/runner/file-diff';
import { useState } from 'react';

const FOLD_LINES = 40;

export interface DiffBlockProps {
  diff: FileDiff & { created?: boolean };
  path?: string;
  /** The diff is of a snippet (edit_file's old and new text): its line numbers are not the file's. */
  snippet?: boolean;
}

export function DiffBlock({ diff, path, snippet }: DiffBlockProps) {
  const [open, setOpen] = useState(false);
  const all = diffLines(diff.text);
  // A snippet's one hunk header says nothing true about the file; more than one, a gap marker tells them apart.
  const lines =
    snippet && all.filter((l) => l.kind === 'hunk').length === 1 ? all.filter((l) => l.kind !== 'hunk') : all;
  const shown = open ? lines : lines.slice(0, FOLD_LINES);
  return (
    <div className="diff" data-testid="diff">
      <div className="diff-summary muted">
        {path && <code className="diff-path">{path}</code>} {diff.created ? 'new file · ' : ''}
        <span className="diff-added">+{diff.added}</span> <span className="diff-removed">−{diff.removed}</span>
        {diff.truncated && <span> · diff cut to its first hunks</span>}
      </div>
      <pre className="diff-lines">
        {shown.map((l, i) => (
          // Lines of a diff have no identity beyond their place in it.
          // biome-ignore lint/suspicious/noArrayIndexKey: positional by nature
          <span key={i} className={`diff-line diff-${l.kind}`} data-testid={`diff-${l.kind}`}>
            {snippet && l.kind === 'hunk' ? '⋯' : l.text}
            {'\n'}
          </span>
        ))}
      </pre>
      {lines.length > FOLD_LINES && (
        <button type="button" className="link-button fold-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open ? 'Show less' : `Show all (${lines.length.toLocaleString()} lines)`}
        </button>
      )}
    </div>
  );
}
