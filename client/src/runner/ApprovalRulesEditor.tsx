// Settings → Runner → Approval rules: the runner's allow/deny rules in words, delete (with undo) and add.
// Each change is saved to the runner at once; the runner is where rules live and are enforced.
import { type ApprovalRule, describeRule } from '@boocode/shared/runner/approval-policy';
import { type FormEvent, useState } from 'react';
import {
  draftWarning,
  RULE_TOOLS,
  type RuleDraft,
  ruleConsequence,
  ruleFromDraft,
  ruleKeys,
  sameRule,
} from './approval-rule-words.ts';
import { runnerSettingsErrorText } from './runner-settings-client.ts';
import type { RunnerRules } from './use-runner-settings.ts';

interface Deleted {
  rule: ApprovalRule;
  index: number;
}

export function ApprovalRulesEditor({ paired, rules }: { paired: boolean | undefined; rules: RunnerRules }) {
  const [draft, setDraft] = useState<RuleDraft>({ effect: 'deny', tool: 'run_command', command: '' });
  const [note, setNote] = useState('');
  const [error, setError] = useState('');
  const [deleted, setDeleted] = useState<Deleted>();
  const [busy, setBusy] = useState(false);

  const apply = async (edit: (current: ApprovalRule[]) => ApprovalRule[], done: string) => {
    setBusy(true);
    setError('');
    try {
      await rules.change(edit);
      setNote(done);
      return true;
    } catch (e) {
      setNote('');
      setError(runnerSettingsErrorText(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const remove = async (rule: ApprovalRule, index: number) => {
    // The runner's list may have changed since it was shown: remove the same rule, wherever it is now.
    const ok = await apply((current) => {
      const at = current.findIndex((c) => sameRule(c, rule));
      return current.filter((_, i) => i !== at);
    }, '');
    if (ok) setDeleted({ rule, index });
  };
  const undo = async (d: Deleted) => {
    const ok = await apply(
      (current) => [...current.slice(0, d.index), d.rule, ...current.slice(d.index)],
      `Restored ${describeRule(d.rule)}.`,
    );
    if (ok) setDeleted(undefined);
  };
  const add = async (e: FormEvent) => {
    e.preventDefault();
    const rule = ruleFromDraft(draft);
    if (rule instanceof Error) {
      setError(rule.message);
      return;
    }
    setDeleted(undefined);
    const ok = await apply(
      (current) => (current.some((r) => sameRule(r, rule)) ? current : [...current, rule]),
      `Added ${describeRule(rule)}.`,
    );
    if (ok) setDraft((d) => ({ ...d, command: '' }));
  };

  const warning = draftWarning(draft);
  const keys = ruleKeys(rules.rules ?? []);
  return (
    <div className="runner-sub" data-testid="approval-rules">
      <h3>Approval rules</h3>
      <p className="muted">
        Reading tools always run. Writing files and running commands ask in the chat unless an allow rule covers the
        call. A deny rule wins over everything: a call it matches is refused, even one you approve.
      </p>
      <p className="muted" data-testid="rules-control-paths">
        Writes inside <code>.git/</code> (and <code>git config</code> changes) and to <code>.boocode/hooks.json</code>{' '}
        always ask, whatever the allow rules say: git and hooks can run a program named there.
      </p>
      {paired === false && (
        <p className="runner-unpaired" data-testid="rules-unpaired">
          Pair the runner first: the rules live in the runner, which enforces them.
        </p>
      )}
      {rules.loadError && (
        <p className="error-text" role="alert">
          Could not read the rules: {rules.loadError}
        </p>
      )}
      {paired && !rules.loadError && rules.rules === undefined && <p className="muted">Asking the runner…</p>}
      {rules.rules?.length === 0 && <p className="muted">No rules yet: every write and command asks first.</p>}
      {rules.rules && rules.rules.length > 0 && (
        <ul className="rule-list" data-testid="rule-list">
          {rules.rules.map((rule, i) => (
            <li key={keys[i]} className="rule-row" data-testid="rule" data-effect={rule.effect}>
              <span className={`rule-effect ${rule.effect}`}>{rule.effect === 'deny' ? 'Deny' : 'Allow'}</span>
              <span className="rule-text">
                <code>{describeRule(rule)}</code>
                <span className="muted">{ruleConsequence(rule)}</span>
              </span>
              <button
                type="button"
                onClick={() => void remove(rule, i)}
                disabled={busy}
                aria-label={`Delete rule ${describeRule(rule)}`}
              >
                Delete
              </button>
            </li>
          ))}
        </ul>
      )}
      {deleted && (
        <div className="form-actions rule-undo" role="status" data-testid="rule-deleted">
          <span>
            Deleted <code>{describeRule(deleted.rule)}</code>.
          </span>
          <button type="button" onClick={() => void undo(deleted)} disabled={busy}>
            Undo
          </button>
        </div>
      )}
      <form onSubmit={add} className="form rule-add">
        <label>
          <span>New rule</span>
          <select
            value={draft.effect}
            onChange={(e) => setDraft({ ...draft, effect: e.target.value as RuleDraft['effect'] })}
            data-testid="rule-effect"
          >
            <option value="deny">Deny (refuse without asking)</option>
            <option value="allow">Allow (run without asking)</option>
          </select>
        </label>
        <label>
          <span>Tool</span>
          <select
            value={draft.tool}
            onChange={(e) => setDraft({ ...draft, tool: e.target.value as RuleDraft['tool'] })}
            data-testid="rule-tool"
          >
            {RULE_TOOLS.map((t) => (
              <option key={t} value={t}>
                {t}
              </option>
            ))}
            <option value="*">every tool (*)</option>
          </select>
        </label>
        {draft.tool === 'run_command' && (
          <label>
            <span>Command</span>
            <input
              value={draft.command}
              onChange={(e) => setDraft({ ...draft, command: e.target.value })}
              placeholder="npm run *   (empty: every command)"
              spellCheck={false}
              data-testid="rule-command"
            />
          </label>
        )}
        {draft.tool === 'run_command' && (
          <p className="muted rule-hint">
            Program and arguments, word by word: <code>*</code> stands for one argument, a <code>*</code> at the end for
            any number. Deny rules also catch the program inside longer commands (<code>ls; rm x</code> hits{' '}
            <code>rm *</code>) and behind common wrappers (<code>env rm</code>, <code>timeout 5 rm</code>,{' '}
            <code>xargs rm</code>, <code>sh -c 'rm …'</code>).
          </p>
        )}
        {draft.tool === 'run_command' && draft.effect === 'deny' && (
          <p className="muted rule-hint" data-testid="rule-deny-best-effort">
            Deny rules are best effort on command lines: a program can still be reached in ways no rule can read (a
            script, an alias, a variable, a program that runs another). Keep the calls you really fear asking, rather
            than allowing broadly and denying a few.
          </p>
        )}
        {warning && (
          <p className="rule-warning" data-testid="rule-warning">
            {warning}
          </p>
        )}
        <div className="form-actions">
          <button type="submit" className="primary" disabled={busy || paired !== true} data-testid="rule-add">
            Add rule
          </button>
          <span className="muted" role="status" data-testid="rules-note">
            {note}
          </span>
        </div>
        {error && (
          <p className="error-text" role="alert" data-testid="rules-error">
            {error}
          </p>
        )}
      </form>
    </div>
  );
}
