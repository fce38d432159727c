// The cache-break explainer: given the segments of the previous and the current model call, name the first
// segment that defeats the provider's prefix cache and what changed in it. Growth is not a break: the
// history of a call is expected to be the previous history plus the previous input plus the answer.
import type { PromptSegment } from '../doc/session-schema.ts';

export interface CacheBreak {
  segment: PromptSegment['kind'];
  /** A sentence for the user, e.g. "system prompt changed at line 3: a timestamp". */
  reason: string;
  line?: number;
}

const TIMESTAMP = /\d{4}-\d{2}-\d{2}([T ]\d{1,2}:\d{2})?|\b\d{1,2}:\d{2}(:\d{2})?\b|\b1\d{9}(\d{3})?\b/;
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i;

export function explainCacheBreak(prev: PromptSegment[], cur: PromptSegment[]): CacheBreak | null {
  const get = (list: PromptSegment[], kind: PromptSegment['kind']) => list.find((s) => s.kind === kind);
  const [ps, cs] = [get(prev, 'system'), get(cur, 'system')];
  if (ps && cs && ps.hash !== cs.hash) return explainTextChange('system', 'system prompt', ps.preview, cs.preview);
  const [pt, ct] = [get(prev, 'tools'), get(cur, 'tools')];
  if (pt && ct && pt.hash !== ct.hash) return explainToolChange(pt.preview, ct.preview);
  return explainHistoryChange(get(prev, 'history'), get(prev, 'input'), get(cur, 'history'));
}

function lines(preview: string | undefined): string[] {
  return preview ? preview.split('\n') : [];
}

/** Names what differs between two versions of a line: a timestamp, an id, a number, or text. */
export function describeChange(before: string, after: string): string {
  const b = before.match(TIMESTAMP)?.[0];
  const a = after.match(TIMESTAMP)?.[0];
  if (a !== undefined && b !== a) return 'a timestamp';
  if (UUID.test(after) && before.match(UUID)?.[0] !== after.match(UUID)?.[0]) return 'an id';
  const digitsOnly = (s: string) => s.replace(/\d+/g, '#');
  if (digitsOnly(before) === digitsOnly(after)) return 'a number';
  if (!before) return 'a line added';
  if (!after) return 'a line removed';
  return 'text';
}

function clip(s: string): string {
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function explainTextChange(
  segment: PromptSegment['kind'],
  label: string,
  prevPreview: string | undefined,
  curPreview: string | undefined,
): CacheBreak {
  if (prevPreview === undefined || curPreview === undefined) return { segment, reason: `${label} changed` };
  const [p, c] = [lines(prevPreview), lines(curPreview)];
  const n = Math.max(p.length, c.length);
  for (let i = 0; i < n; i++) {
    const [before, after] = [p[i] ?? '', c[i] ?? ''];
    if (before === after) continue;
    const what = describeChange(before, after);
    return {
      segment,
      line: i + 1,
      reason: `${label} changed at line ${i + 1}: ${what} ("${clip(before)}" → "${clip(after)}")`,
    };
  }
  return { segment, reason: `${label} changed beyond the recorded preview` };
}

function explainToolChange(prevPreview: string | undefined, curPreview: string | undefined): CacheBreak {
  const parse = (p: string | undefined) =>
    lines(p).map((l) => ({ name: l.split(' ')[0] ?? '', hash: l.split(' ')[1] }));
  const [p, c] = [parse(prevPreview), parse(curPreview)];
  if (!p.length && !c.length) return { segment: 'tools', reason: 'tool schemas changed' };
  const pNames = p.map((t) => t.name);
  const cNames = c.map((t) => t.name);
  const added = cNames.filter((n) => !pNames.includes(n));
  const removed = pNames.filter((n) => !cNames.includes(n));
  if (added.length || removed.length) {
    const parts = [
      added.length ? `added ${added.join(', ')}` : '',
      removed.length ? `removed ${removed.join(', ')}` : '',
    ].filter(Boolean);
    return { segment: 'tools', reason: `tool schemas changed: ${parts.join('; ')}` };
  }
  if (pNames.join('\n') !== cNames.join('\n')) return { segment: 'tools', reason: 'tool schema order changed' };
  const changed = c.filter((t, i) => p[i]?.hash !== t.hash).map((t) => t.name);
  return { segment: 'tools', reason: `tool schema changed: ${changed.join(', ') || 'unknown'}` };
}

function explainHistoryChange(
  prevHistory: PromptSegment | undefined,
  prevInput: PromptSegment | undefined,
  curHistory: PromptSegment | undefined,
): CacheBreak | null {
  if (!prevHistory || !curHistory) return null;
  const expected = [...lines(prevHistory.preview), ...lines(prevInput?.preview)];
  const actual = lines(curHistory.preview);
  for (let i = 0; i < expected.length; i++) {
    if (actual[i] === expected[i]) continue;
    const role = (actual[i] ?? expected[i] ?? '').split(' ')[0];
    const what = actual[i] === undefined ? 'removed' : 'edited';
    return {
      segment: 'history',
      line: i + 1,
      reason: `conversation history changed at message ${i + 1} (${role}): ${what}`,
    };
  }
  return null;
}

/** Share of prompt tokens served from cache, or undefined when the provider does not report it. */
export function cacheHitRate(
  usage: { reported: boolean; prompt: number; cacheHit?: number } | undefined,
): number | undefined {
  if (!usage?.reported || usage.cacheHit === undefined || usage.prompt === 0) return undefined;
  return usage.cacheHit / usage.prompt;
}
