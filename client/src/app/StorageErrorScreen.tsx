// Shown instead of the app when the local database cannot be used: the app cannot keep anything
// without it, so it says so plainly rather than showing an empty (or blank) list.
import type { StorageError } from '../docs/storage-error.ts';

const ADVICE: Record<StorageError['code'], string> = {
  STORAGE_UNAVAILABLE:
    'Private or incognito windows and some privacy settings turn IndexedDB off. Open BooCode in a normal window, or allow site data for this address.',
  STORAGE_BLOCKED: 'Close the other BooCode tabs or windows (or reload them), then reload this one.',
  STORAGE_UPGRADED: 'Everything this tab saved is kept. Reload it to continue with the new version.',
  STORAGE_QUOTA:
    'Free some disk space or clear data of other sites, then reload. Your sessions already saved here are not deleted.',
  STORAGE_FAILED: 'Reload the page. If it keeps happening, check the browser’s site data settings for this address.',
};

export function StorageErrorScreen({ error }: { error: StorageError }) {
  return (
    <main className="fatal" role="alert" data-testid="storage-error">
      <h1>BooCode can’t use this browser’s storage</h1>
      <p className="fatal-message">{error.message}</p>
      <p>{ADVICE[error.code]}</p>
      <button type="button" onClick={() => location.reload()}>
        Reload
      </button>
      {error.detail && (
        <details>
          <summary>Technical details ({error.code})</summary>
          <pre>{error.detail}</pre>
        </details>
      )}
    </main>
  );
}
