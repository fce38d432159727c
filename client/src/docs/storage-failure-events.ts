// A storage failure after start-up (a write hits the quota, the database is deleted under us) is
// reported here; the entry point replaces the app with the storage error screen, so the user never
// keeps working in a tab that silently stopped saving.
type Listener = (err: unknown) => void;

const listeners = new Set<Listener>();

export function onStorageFailure(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function reportStorageFailure(err: unknown): void {
  console.error('[boocode] local storage failed:', err);
  for (const l of listeners) l(err);
}
