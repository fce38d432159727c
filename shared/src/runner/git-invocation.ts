// Reads a git command line the way git does up to its subcommand: the global options (git(1) OPTIONS, as
// handled by git.c before the subcommand), then the subcommand and its arguments. The approval policy uses it
// to spot `git config` writes; the runner uses it to refuse global options that would run a program.

export interface GitGlobalOption {
  /** As written, without a value: `-c`, `--git-dir`, `-C`, `--exec-path`. */
  name: string;
  /** The option's value (`--git-dir=x` or `--git-dir x`), when it takes one. */
  value?: string;
}

export interface GitInvocation {
  options: GitGlobalOption[];
  /** undefined when the words end before a subcommand (`git -C x`). */
  subcommand?: string;
  args: string[];
  /** Global options git 2.39 does not know (git would refuse them too). */
  unknown: string[];
}

/** Global options that take the next word as their value when not written `--name=value`. */
const WITH_VALUE = new Set(['-C', '-c', '--git-dir', '--work-tree', '--namespace', '--super-prefix', '--config-env']);
/** Global options without a value (and `--exec-path`, `--list-cmds`, which take one only after `=`). */
const FLAGS = new Set([
  '-p',
  '--paginate',
  '-P',
  '--no-pager',
  '--no-replace-objects',
  '--bare',
  '--literal-pathspecs',
  '--no-literal-pathspecs',
  '--glob-pathspecs',
  '--noglob-pathspecs',
  '--icase-pathspecs',
  '--no-optional-locks',
  '--exec-path',
  '--html-path',
  '--man-path',
  '--info-path',
  '--list-cmds',
  '--shallow-file',
]);
/** git turns these into a subcommand of their own. */
const AS_SUBCOMMAND: Record<string, string> = {
  '--version': 'version',
  '-v': 'version',
  '--help': 'help',
  '-h': 'help',
};

/** `words` are git's arguments (without the `git` itself). */
export function parseGitInvocation(words: readonly string[]): GitInvocation {
  const options: GitGlobalOption[] = [];
  const unknown: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const word = words[i]!;
    if (AS_SUBCOMMAND[word]) return { options, subcommand: AS_SUBCOMMAND[word], args: words.slice(i + 1), unknown };
    if (!word.startsWith('-')) return { options, subcommand: word, args: words.slice(i + 1), unknown };
    const eq = word.indexOf('=');
    const name = word.startsWith('--') && eq > 0 ? word.slice(0, eq) : word;
    if (name !== word) options.push({ name, value: word.slice(eq + 1) });
    else if (WITH_VALUE.has(word)) {
      options.push({ name: word, value: words[i + 1] ?? '' });
      i++;
    } else if (FLAGS.has(word)) options.push({ name: word });
    else {
      options.push({ name: word });
      unknown.push(word);
    }
    if (name !== word && !WITH_VALUE.has(name) && !FLAGS.has(name)) unknown.push(word);
  }
  return { options, args: [], unknown };
}

/** A `-c` / `--config-env` value's key: everything before the first `=` (git's own split). */
export function configKeyOf(option: GitGlobalOption): string {
  const value = option.value ?? '';
  const eq = value.indexOf('=');
  return eq === -1 ? value : value.slice(0, eq);
}

/** Options of `git config` that only read (git-config(1)); without one, two or more names/values write. */
const CONFIG_READS = new Set([
  '--get',
  '--get-all',
  '--get-regexp',
  '--get-urlmatch',
  '--get-color',
  '--get-colorbool',
  '-l',
  '--list',
]);
const CONFIG_WRITES = /^(--add|--replace-all|--unset|--unset-all|--rename-section|--remove-section|-e|--edit)$/;

/**
 * True for `git config` that may change a config file: it can name a program for git to run. Reads (`--get…`,
 * `--list`, a single name) are not. New-style subcommands (`git config set`, git 2.46) count as writes unless
 * they are `get` or `list`.
 */
export function isGitConfigWrite(invocation: GitInvocation): boolean {
  if (invocation.subcommand !== 'config') return false;
  const args = invocation.args;
  if (args.some((a) => CONFIG_WRITES.test(a))) return true;
  if (args.some((a) => CONFIG_READS.has(a.split('=')[0]!))) return false;
  const positional = args.filter((a) => !a.startsWith('-'));
  if (positional[0] === 'get' || positional[0] === 'list') return false;
  return positional.length !== 1;
}
