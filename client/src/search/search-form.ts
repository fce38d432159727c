// The search page's form as it sits in the URL (`/search?q=…&name=…&from=2026-11-01`), and what it
// asks the server: days are UTC days, `from` its first millisecond, `to` its last.
import type { SpanSearchInput } from '@boocode/shared/protocol/span-search';

export interface SearchForm {
  q?: string;
  name?: string;
  status?: string;
  model?: string;
  /** `YYYY-MM-DD` */
  from?: string;
  to?: string;
}

const KEYS = ['q', 'name', 'status', 'model', 'from', 'to'] as const;
const DAY_MS = 86_400_000;
/** The charts' range when the form names no days. */
export const DEFAULT_CHART_DAYS = 30;

/** The route's search params: the known string fields, trimmed, empty ones left out. */
export function validateSearchForm(raw: Record<string, unknown>): SearchForm {
  const out: SearchForm = {};
  for (const k of KEYS) {
    const v = raw[k];
    if (typeof v === 'string' && v.trim()) out[k] = v.trim().slice(0, 200);
    // A search for digits comes back from the URL as a number.
    else if (typeof v === 'number' && Number.isFinite(v)) out[k] = String(v);
  }
  return out;
}

/** The first millisecond of a `YYYY-MM-DD` UTC day, or undefined when it is not a day. */
export function dayStart(day: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(day);
  if (!m) return undefined;
  const t = Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]));
  return Number.isFinite(t) && new Date(t).toISOString().startsWith(day) ? t : undefined;
}

/** The query for the server, or the reason the form cannot be asked (in words). */
export function searchFormToQuery(f: SearchForm): SpanSearchInput | { error: string } {
  const from = f.from === undefined ? undefined : dayStart(f.from);
  const toStart = f.to === undefined ? undefined : dayStart(f.to);
  if (f.from !== undefined && from === undefined) return { error: `“${f.from}” is not a day (YYYY-MM-DD).` };
  if (f.to !== undefined && toStart === undefined) return { error: `“${f.to}” is not a day (YYYY-MM-DD).` };
  const to = toStart === undefined ? undefined : toStart + DAY_MS - 1;
  if (from !== undefined && to !== undefined && from > to) return { error: 'The first day is after the last.' };
  const q: SpanSearchInput = {};
  if (f.q) q.q = f.q;
  if (f.name) q.name = f.name;
  if (f.status) q.status = f.status as SpanSearchInput['status'];
  if (f.model) q.model = f.model;
  if (from !== undefined) q.from = from;
  if (to !== undefined) q.to = to;
  return q;
}

/** The charts' range: the form's days, or the last 30 days up to `now`. */
export function statsRange(f: SearchForm, now: number): { from: number; to: number | undefined; label: string } {
  const q = searchFormToQuery(f);
  const ok = !('error' in q);
  if (ok && (q.from !== undefined || q.to !== undefined)) {
    const from = typeof q.from === 'number' ? q.from : 0;
    const to = typeof q.to === 'number' ? q.to : undefined;
    return { from, to, label: `Days ${f.from ?? 'from the first'} to ${f.to ?? 'today'} (UTC), every session.` };
  }
  const from = Math.floor(now / DAY_MS) * DAY_MS - (DEFAULT_CHART_DAYS - 1) * DAY_MS;
  return { from, to: undefined, label: `The last ${DEFAULT_CHART_DAYS} days (UTC), every session.` };
}
