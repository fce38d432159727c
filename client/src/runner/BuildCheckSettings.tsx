// Settings → Runner → Build check: the command the runner runs after a coder turn changes files (detected from
// package.json, or set here with PUT /build), whether the rules let it run, and this device's auto-fix rounds.
import { evaluateApproval, suggestAllowRule } from '@boocode/shared/runner/approval-policy';
import type { BuildCommand, BuildInfo } from '@boocode/shared/runner/build-check';
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { SaveRow } from '../settings/form-parts.tsx';
import { sameRule } from './approval-rule-words.ts';
import {
  autoFixRoundsError,
  MAX_AUTO_FIX_ROUNDS,
  observeAutoFixRounds,
  writeAutoFixRounds,
} from './auto-fix-rounds.ts';
import {
  buildCommandText,
  parseBuildCommandText,
  type RunnerSettingsClient,
  runnerSettingsErrorText,
} from './runner-settings-client.ts';
import type { RunnerRules } from './use-runner-settings.ts';

export function BuildCheckSettings({
  client,
  rules,
}: {
  client: RunnerSettingsClient | null | undefined;
  rules: RunnerRules;
}) {
  return (
    <div className="runner-sub" data-testid="build-check">
      <h3>Build check</h3>
      <p className="muted">
        After a coder turn changes files, the runner runs this command; when it fails, its errors go back to the agent
        as the next turn, up to the number of auto-fix rounds below. It runs only when an allow rule covers its command,
        because the script text is workspace content the agent can edit.
      </p>
      <BuildCommandForm client={client} rules={rules} />
      <AutoFixRoundsForm />
    </div>
  );
}

function BuildCommandForm({ client, rules }: { client: RunnerSettingsClient | null | undefined; rules: RunnerRules }) {
  const [info, setInfo] = useState<BuildInfo>();
  const [text, setText] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    setInfo(undefined);
    setError('');
    if (!client) return;
    const abort = new AbortController();
    client.getBuild(abort.signal).then(
      (got) => {
        setInfo(got);
        setText(got.source === 'configured' && got.command ? buildCommandText(got.command) : '');
      },
      (e: unknown) => {
        if (!abort.signal.aborted) setError(`Could not read the build command: ${runnerSettingsErrorText(e)}`);
      },
    );
    return () => abort.abort();
  }, [client]);

  const put = async (command: BuildCommand | null, done: string) => {
    if (!client) return;
    setBusy(true);
    setError('');
    try {
      const got = await client.putBuild(command);
      setInfo(got);
      setText(got.source === 'configured' && got.command ? buildCommandText(got.command) : '');
      setNote(done);
    } catch (e) {
      setNote('');
      setError(runnerSettingsErrorText(e));
    } finally {
      setBusy(false);
    }
  };
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!text.trim()) {
      void put(null, 'Saved: the command comes from package.json again.');
      return;
    }
    const command = parseBuildCommandText(text);
    if (command instanceof Error) {
      setError(command.message);
      return;
    }
    void put(command, 'Saved on the runner.');
  };

  if (client === null)
    return (
      <p className="runner-unpaired" data-testid="build-unpaired">
        Pair the runner first: it detects and runs the build command.
      </p>
    );
  return (
    <form onSubmit={save} className="form">
      <div className="form-row">
        <span>Now</span>
        <span data-testid="build-current">
          {error && !info ? (
            <span className="muted">Unknown: the runner did not answer.</span>
          ) : (
            <BuildCurrent info={info} />
          )}
        </span>
      </div>
      {info?.command && <BuildApproval command={info.command} rules={rules} />}
      <label>
        <span>Command</span>
        <input
          value={text}
          onChange={(e) => setText(e.target.value)}
          placeholder={
            info?.source === 'package.json' && info.command
              ? `${buildCommandText(info.command)} (detected)`
              : 'npm run typecheck'
          }
          spellCheck={false}
          data-testid="build-command"
        />
      </label>
      <p className="muted rule-hint">
        Program and arguments, run without a shell. Leave it empty to use the typecheck, build, lint or test script from
        package.json.
      </p>
      <SaveRow note={note} disabled={busy || !info} testId="build-save" />
      {error && (
        <p className="error-text" role="alert" data-testid="build-error">
          {error}
        </p>
      )}
    </form>
  );
}

function BuildCurrent({ info }: { info: BuildInfo | undefined }) {
  if (!info) return <span className="muted">Asking the runner…</span>;
  if (!info.command)
    return <span className="muted">None: package.json has no typecheck, build, lint or test script.</span>;
  const from =
    info.source === 'configured'
      ? 'set here'
      : `detected from package.json${info.command.script ? ` (script “${info.command.script}”)` : ''}`;
  return (
    <>
      <code>{buildCommandText(info.command)}</code> <span className="muted">{from}</span>
    </>
  );
}

/** Whether the runner's rules let the check run, and a one-click allow rule when they do not yet. */
function BuildApproval({ command, rules }: { command: BuildCommand; rules: RunnerRules }) {
  const [error, setError] = useState('');
  if (!rules.rules) return null;
  const call = { tool: 'run_command' as const, input: { command: command.command, args: command.args } };
  const decision = evaluateApproval(call, rules.rules);
  if (decision.decision === 'allow')
    return (
      <p className="muted rule-hint" data-testid="build-approval" data-decision="allow">
        Runs after each coder turn that changes files ({decision.reason}).
      </p>
    );
  if (decision.decision === 'deny')
    return (
      <p className="rule-warning" data-testid="build-approval" data-decision="deny">
        Never runs: {decision.reason}.
      </p>
    );
  const rule = suggestAllowRule(call);
  const allow = async () => {
    if (!rule) return;
    try {
      await rules.change((current) => (current.some((r) => sameRule(r, rule)) ? current : [...current, rule]));
    } catch (e) {
      setError(runnerSettingsErrorText(e));
    }
  };
  return (
    <div className="form-actions rule-hint" data-testid="build-approval" data-decision="ask">
      <span className="rule-warning">Skipped until a rule allows this command.</span>
      {rule && (
        <button type="button" onClick={() => void allow()} data-testid="build-allow">
          Allow <code>{rule.command}</code>
        </button>
      )}
      {error && <span className="error-text">{error}</span>}
    </div>
  );
}

function AutoFixRoundsForm() {
  const { db } = useServices();
  const [value, setValue] = useState('');
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const touched = useRef(false);

  useEffect(
    () =>
      observeAutoFixRounds(db, (rounds) => {
        if (!touched.current) setValue(String(rounds));
      }),
    [db],
  );

  const save = async (e: FormEvent) => {
    e.preventDefault();
    const rounds = Number(value);
    const problem = value.trim() === '' ? autoFixRoundsError(Number.NaN) : autoFixRoundsError(rounds);
    if (problem) {
      setError(problem);
      setNote('');
      return;
    }
    setError('');
    try {
      await writeAutoFixRounds(db, rounds);
    } catch (err) {
      setError(`Could not save on this device: ${err instanceof Error ? err.message : String(err)}`);
      return;
    }
    touched.current = false;
    setNote(rounds === 0 ? 'Saved on this device: auto-fix is off.' : 'Saved on this device. The next turn uses it.');
  };

  return (
    // noValidate: an out-of-range number gets this form's sentence, not the browser's bubble.
    <form onSubmit={save} className="form rule-add" noValidate>
      <label>
        <span>Auto-fix rounds</span>
        <input
          type="number"
          min={0}
          max={MAX_AUTO_FIX_ROUNDS}
          step={1}
          value={value}
          onChange={(e) => {
            touched.current = true;
            setValue(e.target.value);
          }}
          className="rounds-input"
          data-testid="autofix-rounds"
        />
      </label>
      <p className="muted rule-hint">
        How many times a failing check is handed back to the agent before it stops; 0 turns the check off. Kept on this
        device only.
      </p>
      <SaveRow note={note} testId="autofix-save" />
      {error && (
        <p className="error-text" role="alert" data-testid="autofix-error">
          {error}
        </p>
      )}
    </form>
  );
}
