// How much this device keeps for BooCode, and whether the browser may evict it under pressure.
import { useEffect, useState } from 'react';

interface StorageState {
  usage?: number;
  quota?: number;
  persisted?: boolean;
}

function formatBytes(n: number): string {
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(0)} KB`;
  if (n < 1024 ** 3) return `${(n / 1024 / 1024).toFixed(1)} MB`;
  return `${(n / 1024 ** 3).toFixed(1)} GB`;
}

export function StorageInfo() {
  const [state, setState] = useState<StorageState>({});
  const refresh = async () => {
    const [estimate, persisted] = await Promise.all([
      navigator.storage?.estimate?.() ?? Promise.resolve(undefined),
      navigator.storage?.persisted?.() ?? Promise.resolve(undefined),
    ]);
    setState({ usage: estimate?.usage, quota: estimate?.quota, persisted });
  };
  // biome-ignore lint/correctness/useExhaustiveDependencies: read once on mount
  useEffect(() => {
    void refresh();
  }, []);
  if (state.usage === undefined) return null;
  return (
    <p className="muted" data-testid="storage-info">
      Using {formatBytes(state.usage)}
      {state.quota ? ` of ${formatBytes(state.quota)} available` : ''}.{' '}
      {state.persisted ? (
        'The browser keeps this data even when the disk runs low.'
      ) : (
        <>
          The browser may clear it when the disk runs low.{' '}
          <button type="button" onClick={() => void navigator.storage.persist().then(refresh)}>
            Keep it
          </button>
        </>
      )}
    </p>
  );
}
