// Offers a new version instead of taking over silently: the waiting service worker only activates
// when the user says so, and then every file comes from the new precache (no half-updated mix).
import { useEffect, useState } from 'react';

type UpdateFn = (reload?: boolean) => Promise<void>;

const UPDATE_CHECK_MS = 60 * 60 * 1000;

/**
 * Tells the waiting worker to take over and reloads once it controls the page, so the reload is
 * served entirely by the new version's precache. (workbox-window's own reload only fires for an
 * update it found itself, not for one found by a later update check.)
 */
function activateAndReload(update: UpdateFn): void {
  navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true });
  void update(false);
}

export function UpdatePrompt() {
  const [update, setUpdate] = useState<UpdateFn | undefined>();
  useEffect(() => {
    if (!('serviceWorker' in navigator) || import.meta.env.DEV) return;
    let cancelled = false;
    import('virtual:pwa-register').then(({ registerSW }) => {
      if (cancelled) return;
      const updateSW = registerSW({
        immediate: true,
        onNeedRefresh: () => setUpdate(() => updateSW),
        // A tab kept open all day should still learn of a deploy: check hourly, and when shown again.
        onRegisteredSW: (_url, registration) => {
          if (!registration) return;
          const check = () => void registration.update().catch(() => {});
          setInterval(check, UPDATE_CHECK_MS);
          document.addEventListener('visibilitychange', () => document.visibilityState === 'visible' && check());
        },
      });
    });
    return () => {
      cancelled = true;
    };
  }, []);
  if (!update) return null;
  return (
    <div className="toast update" role="status" data-testid="update-prompt">
      <span>A new version of BooCode is ready.</span>
      <button type="button" className="primary" onClick={() => activateAndReload(update)}>
        Reload to update
      </button>
      <button type="button" onClick={() => setUpdate(undefined)}>
        Later
      </button>
    </div>
  );
}
