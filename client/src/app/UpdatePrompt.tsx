// Offers a new version instead of taking over silently: the waiting service worker only activates
// when the user says so, and then every file comes from the new precache (no half-updated mix).
import { useEffect, useState } from 'react';

type UpdateFn = (reload?: boolean) => Promise<void>;

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
      <button type="button" className="primary" onClick={() => update(true)}>
        Reload to update
      </button>
      <button type="button" onClick={() => setUpdate(undefined)}>
        Later
      </button>
    </div>
  );
}
