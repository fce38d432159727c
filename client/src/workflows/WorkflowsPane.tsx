// The Workflows pane of a session: pick a workflow (built-in, project or personal), give it args,
// run it; below, the session's runs with their live progress. Loaded lazily with the pane.
import { lazy, Suspense, useState } from 'react';
import './workflows.css';
import { type EditorStart, NewWorkflowStarter } from './authoring/NewWorkflowStarter.tsx';
import { RunCard } from './RunCard.tsx';
import { argsHelp, recallArgs, rememberArgs, reuseNote } from './run-args.ts';
import { DEFAULT_RUN_OPTIONS, parseRunOptions, type RunOptionsText } from './run-options.ts';
import { type InspectedEntry, parseArgsText } from './workflow-catalog.ts';
import { type CatalogState, startRun, useRunDriverDeps, useSessionRuns, useWorkflowCatalog } from './workflow-hooks.ts';

// Its own chunk with CodeMirror: fetched when "New workflow" is pressed, never with the pane or the app.
const WorkflowEditor = lazy(() =>
  import('./authoring/WorkflowEditor.tsx').then((m) => ({ default: m.WorkflowEditor })),
);

interface Editing {
  source: string;
  name: string;
  startedFrom: string;
}

export function WorkflowsPane({ sessionId }: { sessionId: string }) {
  const runs = useSessionRuns(sessionId);
  // Bumped after a save, so the saved workflow is listed (and picked) at once.
  const [catalogVersion, setCatalogVersion] = useState(0);
  const catalog = useWorkflowCatalog(catalogVersion);
  const [editing, setEditing] = useState<Editing>();
  const [saved, setSaved] = useState<{ name: string; path: string }>();
  const [startProblem, setStartProblem] = useState<string>();
  const open = async (start: EditorStart) => {
    setStartProblem(undefined);
    try {
      setEditing({ source: await start.load(), name: start.name, startedFrom: start.startedFrom });
      setSaved(undefined);
    } catch (error) {
      setStartProblem(`The workflow could not be read: ${error instanceof Error ? error.message : String(error)}`);
    }
  };
  return (
    <div className="workflows-pane" data-testid="workflows-pane">
      {editing ? (
        <Suspense fallback={<p className="muted">Loading the editor…</p>}>
          <WorkflowEditor
            initialSource={editing.source}
            initialName={editing.name}
            startedFrom={editing.startedFrom}
            onClose={() => setEditing(undefined)}
            onSaved={(name, path) => {
              setEditing(undefined);
              setSaved({ name, path });
              setCatalogVersion((v) => v + 1);
            }}
          />
        </Suspense>
      ) : (
        <NewWorkflowStarter entries={catalog.entries} onStart={(start) => void open(start)} />
      )}
      {startProblem && <p className="error-text">{startProblem}</p>}
      {saved && (
        <p className="small" role="status" data-testid="workflow-saved-note">
          Saved <code>{saved.path}</code>: it is picked below, ready to run.
        </p>
      )}
      {/* Collapsed once the session has runs: then their progress is what the pane is for. */}
      <WorkflowPicker
        key={`${runs.length === 0 || saved ? 'open' : 'closed'}:${saved?.name ?? ''}`}
        sessionId={sessionId}
        catalog={catalog}
        open={runs.length === 0 || saved !== undefined}
        initialPick={saved?.name}
        onStarted={() => setSaved(undefined)}
      />
      <section aria-label="Runs" className="wf-runs">
        <h2 className="wf-heading">Runs</h2>
        {runs.length === 0 ? (
          <p className="muted">No workflow has run in this session yet.</p>
        ) : (
          <ol className="wf-run-list">
            {runs.map((r, i) => (
              <li key={r.runId}>
                <RunCard runId={r.runId} initiallyOpen={i === 0} />
              </li>
            ))}
          </ol>
        )}
      </section>
    </div>
  );
}

function WorkflowPicker({
  sessionId,
  catalog,
  open,
  initialPick,
  onStarted,
}: {
  sessionId: string;
  catalog: CatalogState;
  open: boolean;
  initialPick?: string | undefined;
  onStarted(): void;
}) {
  const { entries, runnerProblem } = catalog;
  const [picked, setPicked] = useState<string | undefined>(initialPick);
  const entry = entries?.find((e) => e.name === picked);
  return (
    <details className="wf-catalog" open={open} aria-label="Workflows">
      <summary>
        <h2 className="wf-heading">Run a workflow</h2>
      </summary>
      {!entries && <p className="muted">Loading workflows…</p>}
      {runnerProblem && <p className="muted small">{runnerProblem}</p>}
      <ul className="wf-catalog-list">
        {entries?.map((e) => (
          <li key={e.name}>
            <button
              type="button"
              className={e.name === picked ? 'wf-pick selected' : 'wf-pick'}
              data-testid="workflow-pick"
              data-name={e.name}
              aria-pressed={e.name === picked}
              onClick={() => setPicked(e.name === picked ? undefined : e.name)}
            >
              <span className="wf-pick-head">
                <strong>{e.meta?.name ?? e.name}</strong>
                <span className="tag">{e.origin}</span>
              </span>
              {e.meta && <span className="wf-desc">{e.meta.description}</span>}
              {e.meta?.whenToUse && <span className="wf-when muted">When: {e.meta.whenToUse}</span>}
              {e.error && <span className="error-text">{e.error.message}</span>}
            </button>
          </li>
        ))}
      </ul>
      {entry && (
        <RunForm
          key={entry.name}
          entry={entry}
          sessionId={sessionId}
          onStarted={() => {
            setPicked(undefined);
            onStarted();
          }}
        />
      )}
    </details>
  );
}

function RunForm({ entry, sessionId, onStarted }: { entry: InspectedEntry; sessionId: string; onStarted(): void }) {
  const deps = useRunDriverDeps();
  // The args last used for this workflow on this device: a re-run starts from them.
  const [argsText, setArgsText] = useState(() => recallArgs(entry.name));
  const help = argsHelp(entry.meta);
  const [options, setOptions] = useState<RunOptionsText>(DEFAULT_RUN_OPTIONS);
  const [problem, setProblem] = useState<string>();
  const [starting, setStarting] = useState(false);
  const parsed = parseArgsText(argsText);
  const chosen = parseRunOptions(options);
  const submit = async () => {
    if (!parsed.ok || !chosen.ok) return;
    setStarting(true);
    setProblem(undefined);
    try {
      const source = await entry.load();
      rememberArgs(entry.name, argsText);
      await startRun(deps, { sessionId, workflowName: entry.name, source, args: parsed.args, ...chosen.options });
      onStarted();
    } catch (error) {
      setProblem(error instanceof Error ? error.message : String(error));
    } finally {
      setStarting(false);
    }
  };
  return (
    <form
      className="wf-run-form"
      onSubmit={(e) => {
        e.preventDefault();
        void submit();
      }}
    >
      <label htmlFor="wf-args">
        Args for <strong>{entry.name}</strong> (JSON, optional)
      </label>
      <textarea
        id="wf-args"
        data-testid="workflow-args"
        rows={5}
        spellCheck={false}
        value={argsText}
        placeholder={help.placeholder}
        aria-invalid={!parsed.ok}
        onChange={(e) => setArgsText(e.target.value)}
      />
      {help.description && (
        <p className="muted small" data-testid="workflow-args-help">
          {help.description}
        </p>
      )}
      {!parsed.ok && (
        <p className="error-text" data-testid="workflow-args-error">
          {parsed.error}
        </p>
      )}
      <RunOptionsFields value={options} onChange={setOptions} problem={chosen.ok ? undefined : chosen.error} />
      <p className="muted small" data-testid="workflow-reuse-note">
        {reuseNote(options.cacheRule)}
      </p>
      {problem && <p className="error-text">{problem}</p>}
      <div className="wf-form-actions">
        <button
          type="submit"
          className="primary"
          data-testid="workflow-run"
          disabled={!parsed.ok || !chosen.ok || starting || entry.error !== undefined}
        >
          {starting ? 'Starting…' : `Run ${entry.name}`}
        </button>
      </div>
    </form>
  );
}

/** Reuse rule, agents at once and token budget; folded away, since the defaults suit most runs. */
function RunOptionsFields({
  value,
  onChange,
  problem,
}: {
  value: RunOptionsText;
  onChange(next: RunOptionsText): void;
  problem?: string;
}) {
  return (
    <>
      <details className="wf-run-options" data-testid="workflow-options">
        <summary>Options</summary>
        <label>
          Re-runs reuse
          <select
            data-testid="workflow-cache-rule"
            value={value.cacheRule}
            onChange={(e) => onChange({ ...value, cacheRule: e.target.value as RunOptionsText['cacheRule'] })}
          >
            <option value="spec-hash">any unchanged agent</option>
            <option value="prefix">the unchanged prefix only (Claude Code)</option>
          </select>
        </label>
        <label>
          Agents at once
          <input
            data-testid="workflow-concurrency"
            inputMode="numeric"
            placeholder="4"
            value={value.concurrency}
            onChange={(e) => onChange({ ...value, concurrency: e.target.value })}
          />
        </label>
        <label>
          Token budget
          <input
            data-testid="workflow-budget"
            inputMode="numeric"
            placeholder="none"
            value={value.budget}
            onChange={(e) => onChange({ ...value, budget: e.target.value })}
          />
        </label>
      </details>
      {/* Outside the fold: a closed fold must not hide why Run is disabled. */}
      {problem && (
        <p className="error-text" data-testid="workflow-options-error">
          {problem}
        </p>
      )}
    </>
  );
}
