// Export and import of everything this device keeps, as one JSON file: every doc as a Yjs update
// (so an import merges instead of overwriting) and the local settings, except secrets (sync and
// runner tokens, API keys): they should not travel in a file by accident.
import * as Y from 'yjs';
import type { DocStore } from '../docs/doc-store.ts';
import type { LocalDb } from '../docs/local-db.ts';

export const EXPORT_FORMAT = 'boocode-export';
export const EXPORT_VERSION = 1;

export interface ExportFile {
  format: typeof EXPORT_FORMAT;
  version: typeof EXPORT_VERSION;
  exportedAt: string;
  docs: { name: string; update: string }[];
  settings: { key: string; value: unknown }[];
}

/** Local settings whose name says they are a credential stay on the device. */
function isSecretSetting(key: string): boolean {
  return /token|secret|key|password/i.test(key);
}

function toBase64(bytes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < bytes.length; i += 0x8000) s += String.fromCharCode(...bytes.subarray(i, i + 0x8000));
  return btoa(s);
}

function fromBase64(text: string): Uint8Array {
  const bin = atob(text);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export async function exportAll(store: DocStore, db: LocalDb): Promise<ExportFile> {
  const docs: ExportFile['docs'] = [];
  for (const name of await store.listStoredDocNames()) {
    const handle = store.openDoc(name);
    try {
      await handle.whenLoaded;
      docs.push({ name, update: toBase64(Y.encodeStateAsUpdate(handle.doc)) });
    } finally {
      handle.release();
    }
  }
  const settings = (await db.settings.toArray()).filter((s) => !isSecretSetting(s.key));
  return { format: EXPORT_FORMAT, version: EXPORT_VERSION, exportedAt: new Date().toISOString(), docs, settings };
}

export class ImportError extends Error {
  override readonly name = 'ImportError';
  readonly code = 'IMPORT_INVALID_FILE';
}

function parseExport(text: string): ExportFile {
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    throw new ImportError('The file is not JSON.');
  }
  const file = data as Partial<ExportFile>;
  if (file?.format !== EXPORT_FORMAT || file.version !== EXPORT_VERSION || !Array.isArray(file.docs)) {
    throw new ImportError('The file is not a BooCode export (or is from a newer version).');
  }
  for (const d of file.docs) {
    if (typeof d?.name !== 'string' || typeof d.update !== 'string') throw new ImportError('A doc entry is damaged.');
  }
  return file as ExportFile;
}

/** Merges an export into this device's data (CRDT merge: nothing local is lost). Returns the doc count. */
export async function importAll(store: DocStore, db: LocalDb, text: string): Promise<number> {
  const file = parseExport(text);
  for (const { name, update } of file.docs) {
    const handle = store.openDoc(name);
    try {
      await handle.whenLoaded;
      Y.applyUpdate(handle.doc, fromBase64(update), 'import');
    } finally {
      handle.release();
    }
  }
  const settings = (file.settings ?? []).filter((s) => typeof s?.key === 'string' && !isSecretSetting(s.key));
  if (settings.length) await db.settings.bulkPut(settings);
  return file.docs.length;
}

export function downloadJson(fileName: string, data: unknown): void {
  const url = URL.createObjectURL(new Blob([JSON.stringify(data)], { type: 'application/json' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}
