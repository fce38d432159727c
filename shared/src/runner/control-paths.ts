// Paths whose content makes a program run later: git's own folder (its config, hooks, attributes, a worktree's
// `.git` link file) and the project's hooks file. Writing there is code execution the next time git or a hook
// runs (in the user's own shell too, whose prompt may run `git status`), so such a write always asks, with the
// reason in words, whatever the allow rules say. Matching is by name, strict: a miss would allow, a false
// match only asks.

export type ControlPathKind = 'git' | 'hooks';

export interface ControlPath {
  kind: ControlPathKind;
  /** The path or word as the call wrote it. */
  path: string;
}

// Code points HFS+ ignores in names (`.g\u200cit` is `.git` there), as git's own is_hfs_dotgit does.
const IGNORED_IN_NAMES = /[\u200b-\u200f\u202a-\u202e\u2060-\u2064\u206a-\u206f\ufeff]/g;

/** A name as a case-insensitive file system would see it; NTFS also drops trailing dots and spaces. */
function normalName(component: string): string {
  return component
    .replace(IGNORED_IN_NAMES, '')
    .replace(/[. ]+$/, '')
    .toLowerCase();
}

// `.git`, NTFS's short name for it, and the per-user config file (a workspace can be the home folder).
const GIT_NAMES = new Set(['.git', 'git~1', '.gitconfig']);

/** Which control path `path` (relative or absolute, `/` or `\` separated) is, or undefined. */
export function controlPathKind(path: string): ControlPathKind | undefined {
  const names = path.split(/[\\/]+/).map(normalName);
  if (names.some((name) => GIT_NAMES.has(name))) return 'git';
  if (names.some((name, i) => name === '.boocode' && names[i + 1] === 'hooks.json')) return 'hooks';
  return undefined;
}

/**
 * A word of a command line that names a control path: the word itself or an option's value (`--file=.git/x`).
 * Deliberately broad: `cat .git/HEAD` under an allow rule for `cat *` asks too.
 */
export function controlPathInWord(word: string): ControlPath | undefined {
  for (const candidate of [word, word.slice(word.indexOf('=') + 1)]) {
    const kind = controlPathKind(candidate.replace(/^['"]+|['"]+$/g, ''));
    if (kind) return { kind, path: candidate };
  }
  return undefined;
}

/** Why a write to this control path asks, in words for the approval prompt. */
export function controlPathReason(control: ControlPath, what: 'writes' | 'names'): string {
  const subject = what === 'writes' ? `it writes "${control.path}"` : `the command names "${control.path}"`;
  if (control.kind === 'hooks')
    return `${subject}, the project's hooks file: each hook there runs a command on agent events, so this always asks, whatever the allow rules say`;
  return `${subject}, inside git's own folder or config: git can run a program named there (a hook, core.fsmonitor, a filter) on the next git command, yours or the agent's, so this always asks, whatever the allow rules say`;
}
