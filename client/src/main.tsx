// Entry: open the local database, adopt a token handed over in the URL, load the space doc, then
// render. Any storage failure on the way ends on a readable error screen, never a blank page.
import { SPACE_DOC } from '@boocode/shared/doc/names';
import { RouterProvider } from '@tanstack/react-router';
import { StrictMode } from 'react';
import { createRoot, type Root } from 'react-dom/client';
import { startSubagentAdopter } from './agents/subagent-adopter.ts';
import { createAppRouter } from './app/router.tsx';
import { StorageErrorScreen } from './app/StorageErrorScreen.tsx';
import { abandonAllHere } from './chat/session-driver.ts';
import { ServicesProvider } from './docs/doc-context.tsx';
import { DocStore } from './docs/doc-store.ts';
import { holdTabPresence } from './docs/driver-identity.ts';
import { createLocalDb } from './docs/local-db.ts';
import { StorageError, toStorageError } from './docs/storage-error.ts';
import { onStorageFailure } from './docs/storage-failure-events.ts';
import { adoptTokenFromUrl, observeLocalSettings, readLocalSettings, toSyncConfig } from './settings/local-settings.ts';
import { createUploadQueue } from './sync/upload-queue.ts';
import './app/styles.css';

/** IndexedDB can hang instead of failing (a blocked upgrade): give up after this long and say so. */
const OPEN_TIMEOUT_MS = 10_000;

function withTimeout<T>(promise: Promise<T>, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(
      () => reject(new StorageError('STORAGE_BLOCKED', `Opening the local database timed out (${what}).`)),
      OPEN_TIMEOUT_MS,
    );
    promise.then(
      (v) => {
        clearTimeout(timer);
        resolve(v);
      },
      (e: unknown) => {
        clearTimeout(timer);
        reject(e);
      },
    );
  });
}

function looksLikeStorageFailure(reason: unknown): boolean {
  if (!(reason instanceof Error)) return false;
  return /Quota|DatabaseClosed|OpenFailed|InvalidState|UnknownError|MissingAPI|AbortError/.test(
    `${reason.name} ${(reason as { inner?: Error }).inner?.name ?? ''}`,
  );
}

async function boot(root: Root): Promise<void> {
  const db = createLocalDb();
  await withTimeout(db.open(), 'open');
  // A newer version opened in another tab wants to upgrade the schema: step aside (close) so it
  // can, and tell this tab's user to reload instead of letting later writes fail one by one.
  db.on('versionchange', () => {
    db.close();
    fail(new StorageError('STORAGE_UPGRADED', 'BooCode was updated in another tab.'));
    return false;
  });
  await adoptTokenFromUrl(db);
  const uploads = createUploadQueue(db);
  const store = new DocStore(db, uploads.pending);
  store.setSyncConfig(toSyncConfig(await readLocalSettings(db)));
  const space = store.openDoc(SPACE_DOC);
  await withTimeout(space.whenLoaded, 'load');
  observeLocalSettings(db, (s) => store.setSyncConfig(toSyncConfig(s)));
  // The browser's network events are only a hint to re-check the sockets (the badge itself is
  // derived from socket state, never from navigator.onLine): a dead socket may otherwise look open
  // until the provider's 30 s watchdog, and a restored network should not wait for the backoff.
  window.addEventListener('offline', () => store.reconnectAll());
  window.addEventListener('online', () => store.reconnectAll());
  // Local-first means this device's copy matters: ask the browser not to evict it under pressure
  // (granted silently for installed apps and engaged sites; otherwise Settings offers it).
  void navigator.storage?.persist?.().catch(() => false);
  // Changes the server has not stored are uploaded by one tab of this profile, open or not.
  uploads.start(store);
  const services = { db, store, space: space.doc };
  // This tab's presence (a Web Lock in its driver id's name): other tabs of this device know at once when it is gone.
  void holdTabPresence();
  // A reload or close mid-answer: let go of every running turn without writing an error, so the next driver
  // (the reloaded tab, another tab, the agent host) resumes it instead of showing it as failed.
  window.addEventListener('pagehide', abandonAllHere);
  // Background subagents: this tab's manager, and the adopter that takes over children a closed tab left.
  startSubagentAdopter(services);
  const router = createAppRouter();
  root.render(
    <StrictMode>
      <ServicesProvider services={services}>
        <RouterProvider router={router} />
      </ServicesProvider>
    </StrictMode>,
  );
}

// Which build this page's code came from, next to index.html's <meta name="boocode-build">.
document.documentElement.dataset.buildId = __BOOCODE_BUILD_ID__;

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root');
const root = createRoot(container);
/** The first failure is the cause; later ones are its consequences (after a newer tab's upgrade closes the
 * database, every write fails with DatabaseClosedError) and must not replace the explanation on screen. */
let shownFailure: StorageError | null = null;
const fail = (err: unknown) => {
  if (shownFailure) return;
  shownFailure = toStorageError(err);
  root.render(<StorageErrorScreen error={shownFailure} />);
};

// A write that fails later (quota, the database deleted under us) must not leave a silently stale app.
onStorageFailure(fail);
window.addEventListener('unhandledrejection', (e) => {
  if (looksLikeStorageFailure(e.reason)) fail(e.reason);
});
boot(root).catch(fail);
