// "Test connection" for one provider, reached the way this device reaches it: through the runner (which
// tries it with the key it holds) or, for a keyless server on this machine, from the page itself. Shows the
// report in words; for one of the user's own servers it offers to ask for JSON the way that worked.
import type { ConnectionReport } from '@boocode/shared/model/connection-report';
import { testConnection } from '@boocode/shared/model/connection-test';
import type { ProviderAccess, ProviderEntry, StructuredOutputMode } from '@boocode/shared/model/providers';
import { useState } from 'react';
import { runnerSettingsErrorText } from '../runner/runner-settings-client.ts';
import { useRunnerSettingsClient } from '../runner/use-runner-settings.ts';
import { ConnectionReportView } from './ConnectionReportView.tsx';

const MODE_WORDS: Record<StructuredOutputMode, string> = {
  json_schema: 'a JSON Schema (response_format)',
  tool: 'a forced tool call',
  words: 'words in the prompt',
};

export function ConnectionTest(props: {
  entry: ProviderEntry;
  access: ProviderAccess;
  /** The URL the page calls, for a direct route. */
  baseUrl: string;
  model: string;
  /** Called when the user takes the report's advice on structured output (custom entries only). */
  onUseMode?: (mode: StructuredOutputMode) => Promise<void>;
}) {
  const client = useRunnerSettingsClient();
  const [report, setReport] = useState<ConnectionReport>();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState('');

  const run = async () => {
    setBusy(true);
    setError('');
    setReport(undefined);
    try {
      if (props.access === 'direct')
        setReport(
          await testConnection({
            baseUrl: props.baseUrl,
            providerLabel: props.entry.label,
            model: props.model || undefined,
          }),
        );
      else if (client) setReport(await client.testProvider(props.entry.id, props.model || undefined));
      else setError('Pair the runner first (Settings → Runner): it makes the test calls with the key it holds.');
    } catch (e) {
      setError(`The test could not run: ${runnerSettingsErrorText(e)}`);
    } finally {
      setBusy(false);
    }
  };

  const suggested = report?.structuredOutput;
  const advice = props.onUseMode && suggested && suggested !== props.entry.structuredOutput ? suggested : undefined;
  return (
    <div className="connection-test">
      <div className="form-actions">
        <button type="button" onClick={run} disabled={busy} data-testid="provider-test">
          {busy ? 'Testing…' : 'Test connection'}
        </button>
        <span className="muted">Lists the models and sends a few requests of a token or two each.</span>
      </div>
      {error && (
        <p className="error-text" role="alert">
          {error}
        </p>
      )}
      {report && <ConnectionReportView report={report} />}
      {advice && (
        <div className="form-actions">
          <span>
            Agents ask {props.entry.label} for JSON with {MODE_WORDS[props.entry.structuredOutput]}; this test says{' '}
            {MODE_WORDS[advice]} works best.
          </span>
          <button type="button" onClick={() => void props.onUseMode?.(advice)} data-testid="provider-use-mode">
            Use {MODE_WORDS[advice]}
          </button>
        </div>
      )}
    </div>
  );
}
