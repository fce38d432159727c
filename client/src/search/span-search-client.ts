// Calls to the sync server's search across sessions (`/api/spans/search`, `/api/spans/stats`), with the
// shapes from shared/ checked on the way in, and every failure turned into a sentence for the page.
import {
  type SpanSearchInput,
  SpanSearchResponse,
  type SpanStatsQuery,
  SpanStatsResponse,
} from '@boocode/shared/protocol/span-search';
import type { z } from 'zod';
import type { ServerApi } from '../sync/server-api.ts';

/** A search the server could not answer, said in words (who refused and why). */
export class SpanSearchError extends Error {
  override readonly name = 'SpanSearchError';
}

export function searchSpans(api: ServerApi, query: SpanSearchInput, signal?: AbortSignal) {
  return getJson(api, '/api/spans/search', query, SpanSearchResponse, signal);
}

export function fetchSpanStats(api: ServerApi, query: SpanStatsQuery, signal?: AbortSignal) {
  return getJson(api, '/api/spans/stats', query, SpanStatsResponse, signal);
}

async function getJson<T>(
  api: ServerApi,
  path: string,
  query: Record<string, string | number | undefined>,
  schema: z.ZodType<T>,
  signal?: AbortSignal,
): Promise<T> {
  const params = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') params.set(k, String(v));
  let res: Response;
  try {
    res = await fetch(`${api.origin}${path}?${params}`, {
      headers: { authorization: `Bearer ${api.token}` },
      signal: signal ?? null,
    });
  } catch (e) {
    if (signal?.aborted) throw e;
    throw new SpanSearchError(`The sync server could not be reached (${e instanceof Error ? e.message : String(e)}).`);
  }
  const body: unknown = await res.json().catch(() => undefined);
  if (res.status === 401)
    throw new SpanSearchError('The sync server refused this device’s token: check it in Settings.');
  if (!res.ok) {
    const message = (body as { message?: unknown } | undefined)?.message;
    throw new SpanSearchError(
      typeof message === 'string'
        ? `The sync server refused the search: ${message}`
        : `The sync server answered ${res.status}.`,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success)
    throw new SpanSearchError('The sync server sent an answer this version of BooCode does not understand.');
  return parsed.data;
}
