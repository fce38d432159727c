// Code highlighting for rendered messages, loaded on first use so the chat's first paint does not
// wait for highlight.js. It reads each block's text and writes back spans with class names only.
type Hljs = typeof import('highlight.js/lib/common').default;
let loading: Promise<Hljs> | undefined;

export async function highlightCodeIn(root: HTMLElement): Promise<void> {
  const blocks = [...root.querySelectorAll<HTMLElement>('pre code:not(.hljs)')];
  if (!blocks.length) return;
  loading ??= import('highlight.js/lib/common').then((m) => m.default);
  const hljs = await loading;
  for (const block of blocks) if (block.isConnected) hljs.highlightElement(block);
}
