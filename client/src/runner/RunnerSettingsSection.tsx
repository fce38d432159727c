// Settings → Runner: this device's pairing with the local runner (URL and token), kept in local-only
// storage (`npm start` pairs automatically through the URL fragment; this form is the manual way), and the
// runner's own settings reached through that pairing: approval rules and the build check.
import { type FormEvent, useEffect, useRef, useState } from 'react';
import { useServices } from '../docs/doc-context.tsx';
import { SaveRow, SecretField } from '../settings/form-parts.tsx';
import { ApprovalRulesEditor } from './ApprovalRulesEditor.tsx';
import { BuildCheckSettings } from './BuildCheckSettings.tsx';
import { observeRunnerPairing, writeRunnerPairing } from './runner-pairing.ts';
import { useRunnerRules, useRunnerSettingsClient } from './use-runner-settings.ts';
import './runner-settings.css';

export function RunnerSettingsSection() {
  const { db } = useServices();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [note, setNote] = useState('');
  // Fill the form once from storage, unless the user already started typing (storage answers async).
  const seeded = useRef(false);
  const touched = useRef(false);
  const client = useRunnerSettingsClient();
  const rules = useRunnerRules(client);

  useEffect(
    () =>
      observeRunnerPairing(db, (p) => {
        if (seeded.current) return;
        seeded.current = true;
        if (touched.current) return;
        setUrl(p?.runnerUrl ?? '');
        setToken(p?.token ?? '');
      }),
    [db],
  );

  const save = async (e: FormEvent) => {
    e.preventDefault();
    if (url.trim() && !/^http:\/\/(127\.0\.0\.1|localhost):\d+\/?$/.test(url.trim())) {
      setNote('The runner listens on this machine only: use http://127.0.0.1:<port>.');
      return;
    }
    await writeRunnerPairing(db, { runnerUrl: url.trim().replace(/\/+$/, ''), token });
    setNote('Saved on this device only.');
  };

  return (
    <section className="card" aria-labelledby="runner-h" data-testid="runner-settings">
      <div className="card-head">
        <h2 id="runner-h">Runner</h2>
      </div>
      <p className="muted">
        The local runner gives coder sessions their tools (files, commands) and holds provider API keys. Its token stays
        on this device and is never synced. When this app is served from a remote https address, Chromium asks before
        letting the page reach 127.0.0.1 (Local Network Access): allow it for the runner to work.
      </p>
      <form onSubmit={save} className="form">
        <label>
          <span>Runner URL</span>
          <input
            value={url}
            onChange={(e) => {
              touched.current = true;
              setUrl(e.target.value);
            }}
            placeholder="http://127.0.0.1:8788"
            spellCheck={false}
            data-testid="runner-url"
          />
        </label>
        <SecretField
          label="Token"
          value={token}
          onChange={(value) => {
            touched.current = true;
            setToken(value);
          }}
          testId="runner-token"
        />
        <SaveRow note={note} testId="runner-save" />
      </form>
      <ApprovalRulesEditor paired={client === undefined ? undefined : client !== null} rules={rules} />
      <BuildCheckSettings client={client} rules={rules} />
    </section>
  );
}
