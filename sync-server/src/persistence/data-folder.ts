/**
 * The sync server's data folder (its token, the embedded database): private to this user (folders
 * 0700, files 0600) and writable, or an error that says it is a permission problem and where.
 */
import { constants } from 'node:fs';
import { access, chmod, lstat, mkdir, readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';

/** Codes that mean "this user cannot create or write the folder here". */
const NOT_WRITABLE = new Set(['EACCES', 'EPERM', 'EROFS', 'ENOTDIR', 'EEXIST']);

const WHY: Record<string, string> = {
  ENOTDIR: 'part of the path is a file',
  EEXIST: 'it is a file',
  EROFS: 'read-only file system',
};

export class DataFolderNotWritableError extends Error {
  override name = 'DataFolderNotWritableError';
  constructor(
    readonly dir: string,
    readonly code: string,
  ) {
    const why = WHY[code] ? `, ${WHY[code]}` : '';
    super(
      `The data folder ${dir} is not writable (${code}${why}): BOOCODE_DATA_DIR must point at a folder this user can write`,
    );
  }
}

/**
 * Creates `dir` (0700) or takes group and other access off an existing one, and checks this user
 * can write in it.
 * Throws DataFolderNotWritableError when it cannot; other errors pass through unchanged.
 */
export async function preparePrivateFolder(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true, mode: 0o700 });
    // mkdir's mode applies only to folders it creates: an older data folder may be 0755. Only group
    // and other bits go; a folder its owner made read-only (0500) stays so, and is reported below.
    const mode = (await stat(dir)).mode & 0o777;
    if (mode & 0o077) await chmod(dir, mode & 0o700);
    await access(dir, constants.W_OK);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code && NOT_WRITABLE.has(code)) throw new DataFolderNotWritableError(dir, code);
    throw err;
  }
}

/**
 * Folders under `dir` (itself included) to 0700, everything else to 0600. PGlite creates its files
 * 0666 whatever the umask, so this runs after it opens and after it closes; the 0700 data folder
 * keeps other users out of files it makes in between.
 */
export async function makeTreePrivate(dir: string): Promise<number> {
  let changed = 0;
  const fix = async (path: string, isDir: boolean) => {
    try {
      const wanted = isDir ? 0o700 : 0o600;
      if (((await lstat(path)).mode & 0o777) === wanted) return;
      await chmod(path, wanted);
      changed++;
    } catch (err) {
      // PGlite removes temporary files while it runs: one gone since the listing needs nothing.
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
  };
  await fix(dir, true);
  for (const entry of await readdir(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isSymbolicLink()) continue; // chmod would follow it out of the folder
    await fix(join(entry.parentPath, entry.name), entry.isDirectory());
  }
  return changed;
}
