// BooCode's private folders (the runner's data folder: its token, provider keys, rules and worktrees; the
// sync server's: its token and database) as a command line could spell them, and the built-in refusal of
// a command that names one. Best effort by nature: a shell string can spell a path in ways no matcher
// sees ($(printf …), a script file, `find / -name …`). The approval prompt stays the real line; this stops
// a command that an allow rule would otherwise run unasked (`cat *`) from reading the keys.
import { isAbsolute, relative, resolve } from 'node:path';
import type { RunCommandInput } from '@boocode/shared/runner/tool-contracts';
import { RunnerError } from './runner-error.ts';

/** Files of the runner's data folder that hold secrets, refused by name wherever they are spelled. */
const SECRET_FILE_NAMES = ['runner-token', 'provider-keys.json'];
/** Subagent worktrees live in the data folder: naming one is how a command in it names its own files. */
const WORKTREES = 'worktrees';

export interface PrivateFolders {
  /** Strings that name a private folder or a secret file. */
  spellings: string[];
}

/** How `dirs` can be written in a command: absolute, and relative to the home folder and the workspace. */
export function privateFolders(dirs: readonly string[], context: { workspace: string; home: string }): PrivateFolders {
  const spellings = new Set(SECRET_FILE_NAMES);
  for (const dir of dirs) {
    const absolute = resolve(dir);
    spellings.add(absolute);
    for (const base of [context.home, context.workspace]) {
      const inside = relative(resolve(base), absolute);
      if (inside && !inside.startsWith('..') && !isAbsolute(inside)) spellings.add(inside);
    }
  }
  return { spellings: [...spellings] };
}

/** The first spelling the line contains, skipping a folder named only on the way into a worktree. */
function namedIn(line: string, folders: PrivateFolders): string | undefined {
  for (const spelling of folders.spellings) {
    for (let at = line.indexOf(spelling); at !== -1; at = line.indexOf(spelling, at + 1)) {
      const after = line.slice(at + spelling.length);
      if (!SECRET_FILE_NAMES.includes(spelling) && after.startsWith(`/${WORKTREES}/`) && !after.includes('..'))
        continue;
      return spelling;
    }
  }
  return undefined;
}

export function refuseNamingPrivateFolders(input: RunCommandInput, folders: PrivateFolders): void {
  const line = [input.command, ...(input.args ?? []), input.cwd ?? ''].join('\n');
  const named = namedIn(line, folders);
  if (named === undefined) return;
  throw new RunnerError(
    'DENIED_BY_RULE',
    `run_command was not run: it names "${named}", which is BooCode's private data (the runner's token and ` +
      "provider keys, the sync server's token and database). The runner refuses such commands whatever the rules or the approval say.",
    403,
    { privatePath: named },
  );
}
