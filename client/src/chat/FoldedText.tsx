// Long text folded to its first lines with "Show all": a 30 KB command output or a 1 MB message would
// otherwise push the conversation off screen (and cost the browser a long layout). Folding is by lines and
// by characters, so one enormous line folds too.
import { useState } from 'react';
import { foldText } from './fold-text.ts';

export interface FoldedTextProps {
  text: string;
  maxLines?: number;
  maxChars?: number;
  /** What wraps the text: a <pre> for output, a <div> for a message. */
  as?: 'pre' | 'div';
  className?: string;
  testId?: string;
}

export function FoldedText({ text, maxLines = 24, maxChars = 4000, as = 'pre', className, testId }: FoldedTextProps) {
  const [open, setOpen] = useState(false);
  const { head, folded } = foldText(text, maxLines, maxChars);
  const Tag = as;
  const lines = text.split('\n').length;
  return (
    <>
      <Tag className={className} data-testid={testId}>
        {open || !folded ? text : head}
      </Tag>
      {folded && (
        <button type="button" className="link-button fold-toggle" onClick={() => setOpen(!open)} aria-expanded={open}>
          {open
            ? 'Show less'
            : `Show all (${lines === 1 ? '1 line' : `${lines.toLocaleString()} lines`}, ${text.length.toLocaleString()} characters)`}
        </button>
      )}
    </>
  );
}
