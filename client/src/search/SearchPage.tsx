// Search across sessions: spans of every session the sync server holds (text, tool, status, model, days),
// newest first with "Show more", each opening its session at that span; and charts of cost, cache hits
// and tools. The form lives in the URL, so a search can be reloaded and shared. The charts are their
// own lazily loaded chunk (uPlot). A local-only device has no server to ask, and the page says so.
import { SpanStatusSchema } from '@boocode/shared/doc/session-schema';
import type { SpanSearchHit, SpanSearchInput, SpanStatsResponse } from '@boocode/shared/protocol/span-search';
import { getRouteApi, Link, useNavigate } from '@tanstack/react-router';
import { type FormEvent, lazy, Suspense, useEffect, useState } from 'react';
import { useSessionEntry } from '../sessions/session-hooks.ts';
import type { ServerApi } from '../sync/server-api.ts';
import { formatCost } from '../traces/span-format.ts';
import { type SearchForm, searchFormToQuery, statsRange } from './search-form.ts';
import { fetchSpanStats, SpanSearchError, searchSpans } from './span-search-client.ts';
import { useServerApi } from './use-server-api.ts';
import './search.css';

const searchRoute = getRouteApi('/search');
// Its own chunk with uPlot: the page's form and results do not wait for the chart library.
const SpanCharts = lazy(() => import('./SpanCharts.tsx').then((m) => ({ default: m.SpanCharts })));

export function SearchPage() {
  const server = useServerApi();
  return (
    <main className="page search-page">
      <h1>Search across sessions</h1>
      {server.state === 'loading' ? (
        <p className="muted">Loading…</p>
      ) : server.state === 'local-only' ? (
        <section className="card" data-testid="search-local-only">
          <h2>No sync server on this device</h2>
          <p>
            Searching across sessions asks the sync server, and this device keeps its sessions to itself: no server and
            token are set. Each session’s own traces are still in its Traces pane.
          </p>
          <p>
            <Link to="/settings">Set up a sync server in Settings</Link>
          </p>
        </section>
      ) : (
        <SearchBody api={server.api} />
      )}
    </main>
  );
}

function SearchBody({ api }: { api: ServerApi }) {
  const form = searchRoute.useSearch();
  const navigate = useNavigate();
  return (
    <>
      <SearchFormView
        key={JSON.stringify(form)}
        initial={form}
        onSubmit={(next) => navigate({ to: '/search', search: next, replace: false })}
      />
      <SearchResults api={api} form={form} />
      <ChartsSection api={api} form={form} />
    </>
  );
}

const STATUSES = SpanStatusSchema.options;

function SearchFormView({ initial, onSubmit }: { initial: SearchForm; onSubmit: (f: SearchForm) => void }) {
  const [f, setF] = useState<SearchForm>(initial);
  const set = (k: keyof SearchForm) => (e: { target: { value: string } }) =>
    setF((prev) => ({ ...prev, [k]: e.target.value || undefined }));
  const submit = (e: FormEvent) => {
    e.preventDefault();
    onSubmit(f);
  };
  return (
    <search className="card">
      <form className="form search-form" aria-label="Search spans" onSubmit={submit}>
        <label>
          Text
          <input
            type="search"
            value={f.q ?? ''}
            onChange={set('q')}
            placeholder="in names, inputs, outputs, errors"
            maxLength={200}
          />
        </label>
        <label>
          Tool
          <input value={f.name ?? ''} onChange={set('name')} placeholder="e.g. run_command" maxLength={200} />
        </label>
        <label>
          Status
          <select value={f.status ?? ''} onChange={set('status')}>
            <option value="">any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Model
          <input value={f.model ?? ''} onChange={set('model')} placeholder="e.g. deepseek-chat" maxLength={200} />
        </label>
        <div className="form-row">
          <span>Days (UTC)</span>
          <span className="search-days">
            <input type="date" aria-label="From day" value={f.from ?? ''} onChange={set('from')} />
            <span aria-hidden="true">–</span>
            <input type="date" aria-label="To day" value={f.to ?? ''} onChange={set('to')} />
          </span>
        </div>
        <div className="form-actions">
          <button type="submit" className="primary">
            Search
          </button>
        </div>
      </form>
    </search>
  );
}

type Results =
  | { state: 'loading' }
  | { state: 'error'; message: string }
  | { state: 'done'; items: SpanSearchHit[]; nextCursor: string | null; more: 'idle' | 'loading' | string };

function SearchResults({ api, form }: { api: ServerApi; form: SearchForm }) {
  const [results, setResults] = useState<Results>({ state: 'loading' });
  const query = searchFormToQuery(form);
  const queryKey = JSON.stringify(query);

  // biome-ignore lint/correctness/useExhaustiveDependencies: queryKey is the query's value
  useEffect(() => {
    const abort = new AbortController();
    setResults({ state: 'loading' });
    if ('error' in query) {
      setResults({ state: 'error', message: query.error });
      return;
    }
    searchSpans(api, query, abort.signal).then(
      (page) => setResults({ state: 'done', items: page.items, nextCursor: page.nextCursor, more: 'idle' }),
      (e: unknown) => {
        if (!abort.signal.aborted) setResults({ state: 'error', message: messageOf(e) });
      },
    );
    return () => abort.abort();
  }, [api, queryKey]);

  const showMore = async () => {
    if (results.state !== 'done' || !results.nextCursor || 'error' in query) return;
    setResults({ ...results, more: 'loading' });
    try {
      const page = await searchSpans(api, { ...(query as SpanSearchInput), cursor: results.nextCursor });
      setResults({
        state: 'done',
        items: [...results.items, ...page.items],
        nextCursor: page.nextCursor,
        more: 'idle',
      });
    } catch (e) {
      setResults({ ...results, more: messageOf(e) });
    }
  };

  return (
    <section className="card search-results" aria-labelledby="search-results-h" aria-busy={results.state === 'loading'}>
      <h2 id="search-results-h">Spans</h2>
      {results.state === 'loading' ? (
        <p className="muted">Searching…</p>
      ) : results.state === 'error' ? (
        <p className="error-text" role="alert">
          {results.message}
        </p>
      ) : results.items.length === 0 ? (
        <p className="muted" data-testid="search-empty">
          No span matches. Spans appear here once sessions have run on a device that syncs with this server.
        </p>
      ) : (
        <>
          <ol className="search-hits" data-testid="search-hits">
            {results.items.map((hit) => (
              <HitRow key={`${hit.sessionId}/${hit.spanId}`} hit={hit} />
            ))}
          </ol>
          {results.nextCursor && (
            <div className="form-actions">
              <button type="button" onClick={showMore} disabled={results.more === 'loading'}>
                {results.more === 'loading' ? 'Loading…' : 'Show more'}
              </button>
              {results.more !== 'idle' && results.more !== 'loading' && (
                <span className="error-text" role="alert">
                  {results.more}
                </span>
              )}
            </div>
          )}
        </>
      )}
    </section>
  );
}

function HitRow({ hit }: { hit: SpanSearchHit }) {
  const entry = useSessionEntry(hit.sessionId);
  const title = entry?.title || hit.sessionId;
  return (
    <li className="search-hit" data-testid="search-hit">
      <Link
        to="/s/$sessionId"
        params={{ sessionId: hit.sessionId }}
        search={{ pane: 'traces', span: hit.spanId }}
        className="search-hit-link"
      >
        <span className="search-hit-head">
          <span className="search-hit-name">{hit.name}</span>
          <span className={`tag span-status status-${hit.status}`}>{hit.status}</span>
          <span className="muted search-hit-session">{title}</span>
        </span>
        <span className="muted search-hit-meta">
          {new Date(hit.startedAt).toLocaleString()}
          {hit.latencyMs !== null && ` · ${formatMs(hit.latencyMs)}`}
          {hit.model && ` · ${hit.model}`}
          {hit.cost !== null && hit.cost > 0 && ` · ${formatCost(hit.cost)}`}
          {hit.errorCode && ` · ${hit.errorCode}`}
        </span>
        {hit.snippet && <code className="search-hit-snippet">{hit.snippet}</code>}
      </Link>
    </li>
  );
}

function ChartsSection({ api, form }: { api: ServerApi; form: SearchForm }) {
  const range = statsRange(form, Date.now());
  const [stats, setStats] = useState<
    { state: 'loading' } | { state: 'error'; message: string } | { state: 'done'; data: SpanStatsResponse }
  >({ state: 'loading' });
  const rangeKey = `${range.from}-${range.to}`;
  // biome-ignore lint/correctness/useExhaustiveDependencies: rangeKey is the range's value
  useEffect(() => {
    const abort = new AbortController();
    setStats({ state: 'loading' });
    fetchSpanStats(api, { from: range.from, to: range.to }, abort.signal).then(
      (data) => setStats({ state: 'done', data }),
      (e: unknown) => {
        if (!abort.signal.aborted) setStats({ state: 'error', message: messageOf(e) });
      },
    );
    return () => abort.abort();
  }, [api, rangeKey]);

  return (
    <section className="card search-charts" aria-labelledby="search-charts-h">
      <h2 id="search-charts-h">Charts</h2>
      <p className="muted">{range.label}</p>
      {stats.state === 'loading' ? (
        <p className="muted">Loading figures…</p>
      ) : stats.state === 'error' ? (
        <p className="error-text" role="alert">
          {stats.message}
        </p>
      ) : (
        <Suspense fallback={<p className="muted">Loading charts…</p>}>
          <SpanCharts stats={stats.data} days={{ from: range.from, to: range.to ?? Date.now() }} />
        </Suspense>
      )}
    </section>
  );
}

function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function messageOf(e: unknown): string {
  return e instanceof SpanSearchError ? e.message : `The search failed: ${e instanceof Error ? e.message : String(e)}`;
}
