// Renders model text as sanitized Markdown; code blocks are highlighted once the text stops streaming.
import { useEffect, useMemo, useRef } from 'react';
import { highlightCodeIn } from './highlight-code.ts';
import { renderMarkdown } from './render-markdown.ts';

export function Markdown({ text, streaming }: { text: string; streaming: boolean }) {
  const html = useMemo(() => renderMarkdown(text), [text]);
  const ref = useRef<HTMLDivElement>(null);
  // biome-ignore lint/correctness/useExhaustiveDependencies: new HTML replaces the highlighted blocks
  useEffect(() => {
    if (!streaming && ref.current) void highlightCodeIn(ref.current);
  }, [html, streaming]);
  // The HTML comes from renderMarkdown, which escapes raw HTML and sanitizes with DOMPurify.
  // biome-ignore lint/security/noDangerouslySetInnerHtml: sanitized above
  return <div ref={ref} className="markdown" dangerouslySetInnerHTML={{ __html: html }} />;
}
