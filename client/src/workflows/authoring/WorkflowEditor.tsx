// The workflow editor (its own lazily loaded chunk, CodeMirror included): the script is checked as it
// is typed with the engine's own check, its refusal marked on its line and listed in words; a dry run
// shows the phases and agents it would start; Save writes it into the project's .boocode/workflows
// through the runner, asking first like any other write.
import { createRunnerClient } from '@boocode/shared/runner/runner-http-client';
import type { EditorView } from '@codemirror/view';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useRunnerPairing } from '../../chat/chat-hooks.ts';
import { useServices } from '../../docs/doc-context.tsx';
import { parseArgsText } from '../workflow-catalog.ts';
import { DryRunReportView, type DryState } from './DryRunReportView.tsx';
import { dryRunInWorker } from './dry-run-in-worker.ts';
import { type SaveState, SaveStatus } from './SaveStatus.tsx';
import { messageOf, nameProblem, planSave, writeWorkflow } from './save-workflow.ts';
import { scriptDiagnostics } from './script-diagnostics.ts';
import { createScriptEditorView, revealProblem, showDiagnostics } from './script-editor-view.ts';

export interface WorkflowEditorProps {
  initialSource: string;
  initialName: string;
  /** Where the text came from, said in the heading ("template", "copy of multi-review"). */
  startedFrom: string;
  onClose(): void;
  onSaved(name: string, path: string): void;
}

export function WorkflowEditor({ initialSource, initialName, startedFrom, onClose, onSaved }: WorkflowEditorProps) {
  const { db } = useServices();
  const pairing = useRunnerPairing();
  const [source, setSource] = useState(initialSource);
  const [name, setName] = useState(initialName);
  const [argsText, setArgsText] = useState('');
  const [dry, setDry] = useState<DryState>({ kind: 'idle' });
  const [save, setSave] = useState<SaveState>({ kind: 'idle' });
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView>(null);
  const diagnostics = useMemo(() => scriptDiagnostics(source), [source]);
  const args = parseArgsText(argsText);
  const badName = nameProblem(name);

  useEffect(() => {
    if (!host.current) return;
    const created = createScriptEditorView(host.current, initialSource, setSource);
    view.current = created;
    return () => created.destroy();
  }, [initialSource]);
  useEffect(() => {
    if (view.current) showDiagnostics(view.current, diagnostics);
  }, [diagnostics]);
  // A report or a pending question is about the text it was made for: an edit makes it stale.
  // biome-ignore lint/correctness/useExhaustiveDependencies: source and name are the change signals
  useEffect(() => {
    setDry((d) => (d.kind === 'running' ? d : { kind: 'idle' }));
    setSave((s) => (s.kind === 'writing' ? s : { kind: 'idle' }));
  }, [source, name]);

  const dryRun = async () => {
    if (!args.ok) return;
    setDry({ kind: 'running' });
    try {
      setDry({ kind: 'done', report: await dryRunInWorker(db, source, args.args) });
    } catch (error) {
      setDry({ kind: 'error', message: messageOf(error) });
    }
  };
  const write = async (path: string, approved: boolean) => {
    if (!pairing) return;
    setSave({ kind: 'writing', path });
    try {
      await writeWorkflow(createRunnerClient(pairing), path, source, approved);
      setSave({ kind: 'saved', path });
      onSaved(name, path);
    } catch (error) {
      setSave({ kind: 'error', message: `Not saved: ${messageOf(error)}` });
    }
  };
  const startSave = async () => {
    if (!pairing) return;
    setSave({ kind: 'planning' });
    const plan = await planSave(createRunnerClient(pairing), name, source);
    if (plan.kind === 'refused') setSave({ kind: 'error', message: plan.message });
    else if (plan.kind === 'ask') setSave({ kind: 'asking', path: plan.path, reason: plan.reason });
    else await write(plan.path, false);
  };
  const saveBlocked =
    diagnostics.length > 0
      ? 'Fix the problem above to save.'
      : pairing === null
        ? 'Pair this device with a runner (Settings) to save into the project.'
        : badName;

  return (
    <section className="wf-editor" aria-label="Workflow editor" data-testid="workflow-editor">
      <header className="wf-editor-head">
        <h2 className="wf-heading">New workflow</h2>
        <span className="muted small">from {startedFrom}</span>
        <button type="button" className="wf-editor-close" onClick={onClose}>
          Close
        </button>
      </header>
      <label className="wf-editor-name">
        Name
        <input
          data-testid="workflow-editor-name"
          value={name}
          spellCheck={false}
          aria-invalid={badName !== undefined}
          aria-describedby="wf-editor-path"
          onChange={(e) => setName(e.target.value.trim())}
        />
      </label>
      <p id="wf-editor-path" className="muted small">
        Saved as <code>.boocode/workflows/{name || '…'}.js</code> in the project
      </p>
      <div className="wf-editor-code" ref={host} />
      <ProblemList diagnostics={diagnostics} onReveal={(at) => view.current && revealProblem(view.current, at)} />
      <label htmlFor="wf-editor-args" className="small">
        Args for the dry run (JSON, optional)
      </label>
      <textarea
        id="wf-editor-args"
        data-testid="workflow-editor-args"
        rows={2}
        spellCheck={false}
        value={argsText}
        aria-invalid={!args.ok}
        onChange={(e) => setArgsText(e.target.value)}
      />
      {!args.ok && <p className="error-text">{args.error}</p>}
      <div className="wf-form-actions">
        <button
          type="button"
          data-testid="workflow-dry-run"
          disabled={diagnostics.length > 0 || !args.ok || dry.kind === 'running'}
          onClick={() => void dryRun()}
        >
          {dry.kind === 'running' ? 'Dry running…' : 'Dry run'}
        </button>
        <button
          type="button"
          className="primary"
          data-testid="workflow-save"
          disabled={saveBlocked !== undefined || save.kind === 'planning' || save.kind === 'writing'}
          onClick={() => void startSave()}
        >
          Save to project
        </button>
      </div>
      {saveBlocked && diagnostics.length === 0 && <p className="muted small">{saveBlocked}</p>}
      <SaveStatus
        state={save}
        onApprove={(path) => void write(path, true)}
        onDeny={() => setSave({ kind: 'error', message: 'Not saved: you denied the write.' })}
      />
      <DryRunReportView state={dry} />
    </section>
  );
}

function ProblemList({
  diagnostics,
  onReveal,
}: {
  diagnostics: ReturnType<typeof scriptDiagnostics>;
  onReveal(at: number): void;
}) {
  return (
    <div role="status" aria-live="polite" data-testid="workflow-problems">
      {diagnostics.length === 0 ? (
        <p className="muted small">No problems: the engine would accept this script.</p>
      ) : (
        <ul className="wf-problems">
          {diagnostics.map((d) => (
            <li key={`${d.from}-${d.code}`}>
              <button
                type="button"
                className="wf-problem error-text"
                data-testid="workflow-problem"
                data-line={d.line}
                onClick={() => onReveal(d.from)}
              >
                <strong>Line {d.line}:</strong> {d.message}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
