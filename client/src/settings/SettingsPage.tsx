// Settings: the sync server for this device (local-only), the colour scheme (synced), and
// export/import of all local data.
import { setSetting } from '@boocode/shared/doc/space';
import { type FormEvent, useEffect, useState } from 'react';
import { type ThemeChoice, useThemeChoice } from '../app/theme.ts';
import { ModelSettingsSection } from '../chat/ModelSettingsSection.tsx';
import { useServices } from '../docs/doc-context.tsx';
import { NotificationSettingsSection } from '../notifications/NotificationSettingsSection.tsx';
import { RunnerSettingsSection } from '../runner/RunnerSettingsSection.tsx';
import { SyncBadge } from '../sync/SyncBadge.tsx';
import { downloadJson, exportAll, importAll } from './data-transfer.ts';
import { SaveRow, SecretField } from './form-parts.tsx';
import { HooksSettingsSection } from './HooksSettingsSection.tsx';
import { type LocalSettings, observeLocalSettings, sameOriginSyncUrl, writeLocalSettings } from './local-settings.ts';
import { StorageInfo } from './StorageInfo.tsx';

export function SettingsPage() {
  return (
    <main className="page settings">
      <h1>Settings</h1>
      <SyncSection />
      <ModelSettingsSection />
      <RunnerSettingsSection />
      <NotificationSettingsSection />
      <HooksSettingsSection />
      <AppearanceSection />
      <DataSection />
    </main>
  );
}

function SyncSection() {
  const { db } = useServices();
  const [saved, setSaved] = useState<LocalSettings | undefined>();
  const [url, setUrl] = useState('');
  const [token, setToken] = useState('');
  const [note, setNote] = useState('');

  useEffect(
    () =>
      observeLocalSettings(db, (s) => {
        setSaved((prev) => {
          // Only overwrite the fields when they still show what was saved (do not eat typing).
          if (!prev) {
            setUrl(s.syncUrl);
            setToken(s.syncToken);
          }
          return s;
        });
      }),
    [db],
  );

  const save = async (e: FormEvent) => {
    e.preventDefault();
    await writeLocalSettings(db, { syncUrl: url.trim(), syncToken: token.trim() });
    setNote('Saved. Open sessions reconnect with the new settings.');
  };
  const dirty = saved !== undefined && (url !== saved.syncUrl || token !== saved.syncToken);

  return (
    <section className="card" aria-labelledby="sync-h">
      <div className="card-head">
        <h2 id="sync-h">Sync server</h2>
        <SyncBadge />
      </div>
      <p className="muted">
        Your sessions live on this device. A sync server keeps a copy and carries changes to your other devices. Leave
        the token empty to keep everything on this device only.
      </p>
      <form onSubmit={save} className="form">
        <label>
          <span>Server URL</span>
          <input
            value={url}
            onChange={(e) => setUrl(e.target.value)}
            placeholder={sameOriginSyncUrl()}
            spellCheck={false}
            data-testid="sync-url"
          />
        </label>
        <SecretField label="Token" value={token} onChange={setToken} testId="sync-token" />
        <SaveRow note={note} disabled={!dirty} />
      </form>
    </section>
  );
}

function AppearanceSection() {
  const { space } = useServices();
  const theme = useThemeChoice();
  return (
    <section className="card" aria-labelledby="look-h">
      <h2 id="look-h">Appearance</h2>
      <label className="form-row">
        <span>Colour scheme</span>
        <select
          value={theme}
          onChange={(e) => setSetting(space, 'theme', e.target.value as ThemeChoice)}
          data-testid="theme-select"
        >
          <option value="system">Follow the system</option>
          <option value="light">Light</option>
          <option value="dark">Dark</option>
        </select>
      </label>
    </section>
  );
}

function DataSection() {
  const { db, store } = useServices();
  const [note, setNote] = useState('');
  const [busy, setBusy] = useState(false);

  const doExport = async () => {
    setBusy(true);
    try {
      const file = await exportAll(store, db);
      downloadJson(`boocode-export-${new Date().toISOString().slice(0, 10)}.json`, file);
      setNote(`Exported ${file.docs.length} documents.`);
    } catch (err) {
      setNote(`Export failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };
  const doImport = async (file: File | undefined) => {
    if (!file) return;
    setBusy(true);
    try {
      const n = await importAll(store, db, await file.text());
      setNote(`Imported ${n} documents, merged with what was here.`);
    } catch (err) {
      setNote(`Import failed: ${err instanceof Error ? err.message : String(err)}`);
    } finally {
      setBusy(false);
    }
  };

  return (
    <section className="card" aria-labelledby="data-h">
      <h2 id="data-h">Data on this device</h2>
      <p className="muted">
        Export writes every session and setting on this device to a JSON file (tokens and keys are left out). Import
        merges such a file in: nothing here is overwritten.
      </p>
      <StorageInfo />
      <div className="form-actions">
        <button type="button" onClick={() => void doExport()} disabled={busy} data-testid="export">
          Export all data
        </button>
        <label className="button">
          Import from file…
          <input
            type="file"
            accept="application/json,.json"
            hidden
            onChange={(e) => void doImport(e.target.files?.[0])}
            data-testid="import"
          />
        </label>
        <span className="muted" role="status" data-testid="data-note">
          {note}
        </span>
      </div>
    </section>
  );
}
