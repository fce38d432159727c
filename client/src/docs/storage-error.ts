// Storage failures the user can hit (private mode, blocked IndexedDB, full disk) as values with a
// code, so the app can say what went wrong in words instead of rendering nothing.

export type StorageErrorCode =
  | 'STORAGE_UNAVAILABLE'
  | 'STORAGE_BLOCKED'
  | 'STORAGE_UPGRADED'
  | 'STORAGE_QUOTA'
  | 'STORAGE_FAILED';

export class StorageError extends Error {
  override readonly name = 'StorageError';
  constructor(
    readonly code: StorageErrorCode,
    message: string,
    readonly detail?: string,
  ) {
    super(message);
  }
}

function describe(err: unknown): string {
  if (err instanceof Error) return `${err.name}: ${err.message}`;
  return String(err);
}

/** Maps whatever IndexedDB/Dexie threw into a StorageError a person can act on. */
export function toStorageError(err: unknown): StorageError {
  if (err instanceof StorageError) return err;
  const detail = describe(err);
  const text = detail.toLowerCase();
  if (text.includes('quota')) {
    return new StorageError('STORAGE_QUOTA', 'This device has run out of storage space for BooCode.', detail);
  }
  if (text.includes('blocked') || text.includes('version change')) {
    return new StorageError(
      'STORAGE_BLOCKED',
      'Another BooCode tab is holding the local database open with an older version.',
      detail,
    );
  }
  if (text.includes('missingapi') || text.includes('indexeddb api missing') || text.includes('not available')) {
    return new StorageError('STORAGE_UNAVAILABLE', 'This browser does not let BooCode use local storage.', detail);
  }
  return new StorageError('STORAGE_FAILED', 'BooCode could not open its local database on this device.', detail);
}
