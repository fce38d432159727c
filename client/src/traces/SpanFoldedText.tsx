// Long text in a span's details, folded to its first lines with a "Show all" that says how much is hidden.
import { useState } from 'react';

const FOLD_LINES = 14;
const FOLD_CHARS = 1500;

export function FoldedText({ text }: { text: string }) {
  const [open, setOpen] = useState(false);
  const lines = text.split('\n');
  const long = lines.length > FOLD_LINES || text.length > FOLD_CHARS;
  const shown = open || !long ? text : lines.slice(0, FOLD_LINES).join('\n').slice(0, FOLD_CHARS);
  return (
    <>
      <pre className="span-json">{shown}</pre>
      {long && (
        <button type="button" className="link-button" onClick={() => setOpen(!open)}>
          {open ? 'Fold' : `Show all (${lines.length} lines, ${text.length.toLocaleString()} chars)`}
        </button>
      )}
    </>
  );
}
