// A Test connection report: one line per capability (works, does not, not known) in the runner's or the
// page's own words, and the summary on top.
import type { ConnectionReport } from '@boocode/shared/model/connection-report';

const TITLES: Record<string, string> = {
  models: 'Model list',
  streaming: 'Streaming',
  usage: 'Token usage',
  'cached-tokens': 'Cached tokens',
  'tool-calls': 'Tool calls',
  vision: 'Images',
  'structured-output': 'Structured output',
};
const MARKS = { works: '✓', fails: '✗', unknown: '?' } as const;

export function ConnectionReportView({ report }: { report: ConnectionReport }) {
  return (
    <div className="connection-report" data-testid="connection-report" aria-live="polite">
      <p>
        <strong>{report.summary}</strong>
        {report.model && <span className="muted"> (model {report.model})</span>}
      </p>
      {report.checks.length > 0 && (
        <ul>
          {report.checks.map((c) => (
            <li key={c.id} className={`check-${c.status}`} data-check={c.id} data-status={c.status}>
              <span aria-hidden="true">{MARKS[c.status]}</span> <strong>{TITLES[c.id] ?? c.id}:</strong> {c.words}
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
