// The charts of the search page, drawn with uPlot (small, canvas, no inline <style>: it sets styles
// through the CSSOM, which the page's CSP allows). Its own chunk, loaded when the figures arrive.
// Every chart has its figures as a table too: a canvas says nothing to a screen reader.
import type { SpanStatsResponse } from '@boocode/shared/protocol/span-search';
import { useEffect, useMemo, useRef, useState } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { formatCost } from '../traces/span-format.ts';

const PALETTE = ['#3b5bdb', '#e8590c', '#2b8a3e', '#ae3ec9', '#1098ad', '#c2255c', '#5c940d', '#862e9c'];
const HEIGHT = 200;

/** `days`: the range the figures cover, in ms (the time axes span it whole, even with one point). */
export function SpanCharts({ stats, days }: { stats: SpanStatsResponse; days: { from: number; to: number } }) {
  const slowest = useMemo(
    () =>
      stats.slowestTools.map((t) => ({
        name: t.name,
        value: t.meanMs,
        note: `${t.calls} calls, max ${Math.round(t.maxMs)} ms`,
      })),
    [stats],
  );
  const failing = useMemo(
    () => stats.failingTools.map((t) => ({ name: t.name, value: t.failures, note: `of ${t.calls} calls` })),
    [stats],
  );
  const empty =
    !stats.costByDay.length && !stats.cacheByDay.length && !stats.slowestTools.length && !stats.failingTools.length;
  if (empty) {
    return (
      <p className="muted" data-testid="charts-empty">
        No model or tool calls in this range yet: the charts fill in as sessions run.
      </p>
    );
  }
  return (
    <div className="chart-grid" data-testid="span-charts">
      <CostChart rows={stats.costByDay} days={days} />
      <CacheChart rows={stats.cacheByDay} days={days} />
      <ToolBars
        title="Slowest tools"
        unit="mean ms"
        testId="chart-slowest"
        rows={slowest}
        format={(v) => (v >= 1000 ? `${Number((v / 1000).toFixed(1))} s` : `${Math.round(v)} ms`)}
        empty="No finished tool calls in this range."
      />
      <ToolBars
        title="Most failing tools"
        unit="failed calls"
        testId="chart-failing"
        rows={failing}
        format={(v) => String(v)}
        counts
        empty="No tool call failed in this range."
      />
    </div>
  );
}

function CostChart({ rows, days: range }: { rows: SpanStatsResponse['costByDay']; days: DayRange }) {
  const days = [...new Set(rows.map((r) => r.day))].sort((a, b) => a - b);
  const models = [...new Set(rows.map((r) => r.model))].sort();
  const byKey = new Map(rows.map((r) => [`${r.day}|${r.model}`, r.cost]));
  // biome-ignore lint/correctness/useExhaustiveDependencies: days, models and byKey are derived from rows
  const data = useMemo<uPlot.AlignedData>(
    () => [days.map((d) => d / 1000), ...models.map((m) => days.map((d) => byKey.get(`${d}|${m}`) ?? null))],
    [rows],
  );
  return (
    <figure className="chart" data-testid="chart-cost">
      <figcaption>Cost per day, by model</figcaption>
      {rows.length === 0 ? (
        <p className="muted">No model calls in this range.</p>
      ) : (
        <>
          <Plot
            data={data}
            label="Cost per day, by model"
            options={(colors) => ({
              scales: { x: { time: true, range: xRange(range) } },
              series: [
                { label: 'Day', value: (_u, v) => (v == null ? '' : dayLabel(v * 1000)) },
                ...models.map((m, i) => ({
                  label: m,
                  stroke: PALETTE[i % PALETTE.length],
                  width: 2,
                  points: { show: true, size: 6 },
                  value: (_u: uPlot, v: number | null) => (v == null ? '–' : formatCost(v)),
                })),
              ],
              axes: [timeAxis(colors), { ...valueAxis(colors), values: (_u, splits) => splits.map(axisCost) }],
            })}
          />
          <FiguresTable
            head={['Day', 'Model', 'Cost', 'Calls']}
            rows={rows.map((r) => [dayLabel(r.day), r.model, formatCost(r.cost), String(r.calls)])}
          />
        </>
      )}
    </figure>
  );
}

function CacheChart({ rows, days }: { rows: SpanStatsResponse['cacheByDay']; days: DayRange }) {
  const rate = (r: (typeof rows)[number]) => {
    const all = r.hitTokens + r.missTokens;
    return all > 0 ? (100 * r.hitTokens) / all : null;
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: rate is a pure function of a row
  const data = useMemo<uPlot.AlignedData>(() => [rows.map((r) => r.day / 1000), rows.map(rate)], [rows]);
  return (
    <figure className="chart" data-testid="chart-cache">
      <figcaption>Prompt cache hit rate per day</figcaption>
      {rows.length === 0 ? (
        <p className="muted">No model call in this range said how much of its prompt was cached.</p>
      ) : (
        <>
          <Plot
            data={data}
            label="Prompt cache hit rate per day"
            options={(colors) => ({
              legend: { show: false },
              scales: { x: { time: true, range: xRange(days) }, y: { range: [0, 100] } },
              series: [{}, { label: 'Hit rate', stroke: colors.ok, width: 2, points: { show: true, size: 6 } }],
              axes: [timeAxis(colors), { ...valueAxis(colors), values: (_u, splits) => splits.map((v) => `${v}%`) }],
            })}
          />
          <FiguresTable
            head={['Day', 'Hit rate', 'Cached tokens', 'Uncached tokens']}
            rows={rows.map((r) => {
              const v = rate(r);
              return [
                dayLabel(r.day),
                v === null ? '–' : `${v.toFixed(0)}%`,
                String(r.hitTokens),
                String(r.missTokens),
              ];
            })}
          />
        </>
      )}
    </figure>
  );
}

interface BarRow {
  name: string;
  value: number;
  note: string;
}

function ToolBars(props: {
  title: string;
  unit: string;
  testId: string;
  rows: BarRow[];
  format: (v: number) => string;
  empty: string;
  /** Whole numbers only on the value axis (a count has no 0.25). */
  counts?: boolean;
}) {
  const { rows } = props;
  const data = useMemo<uPlot.AlignedData>(() => [rows.map((_, i) => i), rows.map((r) => r.value)], [rows]);
  return (
    <figure className="chart" data-testid={props.testId}>
      <figcaption>
        {props.title} <span className="muted">({props.unit})</span>
      </figcaption>
      {rows.length === 0 ? (
        <p className="muted">{props.empty}</p>
      ) : (
        <>
          <Plot
            data={data}
            label={props.title}
            options={(colors) => ({
              legend: { show: false },
              scales: {
                x: { time: false, range: [-0.5, rows.length - 0.5] },
                y: { range: (_u, _min, max) => [0, max * 1.1 || 1] },
              },
              series: [
                {},
                {
                  label: props.unit,
                  fill: colors.accent,
                  stroke: colors.accent,
                  paths: uPlot.paths.bars?.({ size: [0.6, 48] }),
                  points: { show: false },
                },
              ],
              axes: [
                {
                  ...valueAxis(colors),
                  space: 20,
                  rotate: rows.length > 4 ? -30 : 0,
                  size: rows.length > 4 ? 70 : 30,
                  splits: () => rows.map((_, i) => i),
                  values: (_u, splits) => splits.map((i) => shorten(rows[i]?.name ?? '')),
                },
                {
                  ...valueAxis(colors),
                  ...(props.counts ? { incrs: [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 10_000] } : {}),
                  values: (_u, splits) => splits.map((v) => props.format(v)),
                },
              ],
            })}
          />
          <FiguresTable
            head={['Tool', props.unit, '']}
            rows={rows.map((r) => [r.name, props.format(r.value), r.note])}
          />
        </>
      )}
    </figure>
  );
}

type DayRange = { from: number; to: number };

/** The time axis in uPlot's seconds: the whole range, half a day of margin each side for the points. */
function xRange(r: DayRange): [number, number] {
  return [(r.from - 43_200_000) / 1000, (r.to + 43_200_000) / 1000];
}

interface ChartColors {
  text: string;
  muted: string;
  grid: string;
  accent: string;
  ok: string;
}

/**
 * Changes whenever the page's colours may have: the system scheme (for the "system" theme) or the theme
 * chosen in Settings (`data-theme` on the root). A canvas keeps the colours it was drawn with.
 */
function useColourSchemeVersion(): number {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const bump = () => setVersion((v) => v + 1);
    const media = matchMedia('(prefers-color-scheme: dark)');
    media.addEventListener('change', bump);
    const observer = new MutationObserver(bump);
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => {
      media.removeEventListener('change', bump);
      observer.disconnect();
    };
  }, []);
  return version;
}

/** A uPlot chart that fills its container's width and follows it, redrawn in the page's current colours. */
function Plot(props: {
  data: uPlot.AlignedData;
  label: string;
  options: (c: ChartColors) => Omit<uPlot.Options, 'width' | 'height'>;
}) {
  const ref = useRef<HTMLDivElement>(null);
  const { data, options } = props;
  const scheme = useColourSchemeVersion();
  // biome-ignore lint/correctness/useExhaustiveDependencies: the chart is rebuilt when its data or the colours change; options is rebuilt with the data
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const css = getComputedStyle(document.documentElement);
    const v = (name: string, fallback: string) => css.getPropertyValue(name).trim() || fallback;
    const colors: ChartColors = {
      text: v('--text', '#1f2328'),
      muted: v('--muted', '#5c636b'),
      grid: v('--border', '#dcdcd7'),
      accent: v('--accent', '#3b5bdb'),
      ok: v('--ok', '#237a35'),
    };
    const width = () => Math.max(200, Math.floor(el.clientWidth));
    const plot = new uPlot({ ...options(colors), width: width(), height: HEIGHT }, data, el);
    const resize = new ResizeObserver(() => plot.setSize({ width: width(), height: HEIGHT }));
    resize.observe(el);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [data, scheme]);
  return <div className="plot" ref={ref} role="img" aria-label={props.label} />;
}

function FiguresTable({ head, rows }: { head: string[]; rows: string[][] }) {
  return (
    <details className="chart-figures">
      <summary>Figures</summary>
      <table>
        <thead>
          <tr>
            {head.map((h) => (
              <th key={h} scope="col">
                {h}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {rows.map((r, i) => (
            // biome-ignore lint/suspicious/noArrayIndexKey: rows are positional and redrawn whole
            <tr key={i}>
              {r.map((c, j) => (
                // biome-ignore lint/suspicious/noArrayIndexKey: cells are positional
                <td key={j}>{c}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </details>
  );
}

function timeAxis(c: ChartColors): uPlot.Axis {
  return { ...valueAxis(c), size: 32, values: (_u, splits) => splits.map((s) => dayLabel(s * 1000, true)) };
}

/** Room for the longest tick label (uPlot's fixed default cuts "$0.00008" or "4000 ms" off at the left). */
const fitLabels: uPlot.Axis.Size = (_u, values) =>
  values?.length ? Math.max(40, Math.ceil(Math.max(...values.map((v) => v.length)) * 6.5) + 20) : 40;

function valueAxis(c: ChartColors): uPlot.Axis {
  return {
    size: fitLabels,
    stroke: c.muted,
    grid: { stroke: c.grid, width: 1 },
    ticks: { stroke: c.grid, width: 1 },
    font: '11px system-ui, sans-serif',
  };
}

function dayLabel(ms: number, short = false): string {
  const d = new Date(ms);
  return short
    ? d.toLocaleDateString(undefined, { month: 'short', day: 'numeric', timeZone: 'UTC' })
    : d.toISOString().slice(0, 10);
}

/** Ticks of a cost axis: two significant digits, so $0.00012 and $0.00015 stay apart. */
function axisCost(v: number): string {
  if (v === 0) return '$0';
  return `$${v.toLocaleString('en-US', { maximumSignificantDigits: 2 })}`;
}

function shorten(s: string): string {
  return s.length > 14 ? `${s.slice(0, 13)}…` : s;
}
