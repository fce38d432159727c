// The filter bar over the waterfall: kind, tool, outcome and a text search in inputs and outputs.
import type { SpanKind, SpanStatus } from '@boocode/shared/doc/session-schema';
import { STATUS_LABEL } from './span-format.ts';
import type { SpanFilter } from './span-rows.ts';

const KINDS: SpanKind[] = ['model', 'tool', 'autofix', 'subagent', 'workflow-agent'];
const STATUSES: SpanStatus[] = ['open', 'ok', 'error', 'interrupted', 'cancelled'];

export function TraceFilters({
  filter,
  tools,
  onChange,
}: {
  filter: SpanFilter;
  /** Tool names seen in the spans; the tool filter shows only when there is one. */
  tools: readonly string[];
  onChange: (next: SpanFilter) => void;
}) {
  return (
    <div className="obs-filters">
      <select
        aria-label="Filter by kind"
        value={filter.kind ?? ''}
        onChange={(e) => onChange({ ...filter, kind: (e.target.value || undefined) as SpanKind | undefined })}
      >
        <option value="">All kinds</option>
        {KINDS.map((k) => (
          <option key={k} value={k}>
            {k}
          </option>
        ))}
      </select>
      {tools.length > 0 && (
        <select
          aria-label="Filter by tool"
          value={filter.tool ?? ''}
          onChange={(e) => onChange({ ...filter, tool: e.target.value || undefined })}
        >
          <option value="">All tools</option>
          {tools.map((t) => (
            <option key={t} value={t}>
              {t}
            </option>
          ))}
        </select>
      )}
      <select
        aria-label="Filter by outcome"
        value={filter.status ?? ''}
        onChange={(e) => onChange({ ...filter, status: (e.target.value || undefined) as SpanStatus | undefined })}
      >
        <option value="">Any outcome</option>
        {STATUSES.map((s) => (
          <option key={s} value={s}>
            {STATUS_LABEL[s]}
          </option>
        ))}
      </select>
      <input
        type="search"
        placeholder="Search inputs and outputs"
        aria-label="Search spans"
        value={filter.search ?? ''}
        onChange={(e) => onChange({ ...filter, search: e.target.value })}
      />
    </div>
  );
}
