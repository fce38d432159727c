// Splits a command into program and arguments for rule matching, and spots shell syntax.
// Invariant: a command containing any shell metacharacter is never "simple", so it can never
// match an allow rule; chaining (`;`, `&&`, `|`), substitution (`$(...)`, backticks),
// redirection and globbing cannot smuggle a second command past a rule. Deny rules look further,
// best effort: inside every segment and behind wrappers that run another program (`env rm`,
// `sh -c 'rm …'`, `timeout 5 rm`), so over-matching there only ever means "refused".

/** Characters that make /bin/sh do more than run one program with literal arguments. */
const SHELL_METACHARACTERS = /[;&|<>()$`\\\n\r*?[\]{}~!#'"]/;
// Quotes are included because a quoted word's meaning depends on the shell. Being strict here
// only ever means "ask the user", never "run".

export function hasShellMetacharacters(text: string): boolean {
  return SHELL_METACHARACTERS.test(text);
}

export interface ParsedCommand {
  program: string;
  args: string[];
  /** True when no word contains shell syntax: the only commands allow rules may match. */
  simple: boolean;
  /**
   * Every program the text might start, best effort (split at shell separators). Used for deny
   * rules only, so a miss here falls back to asking, never to allowing.
   */
  segments: string[][];
}

export interface CommandCall {
  command: string;
  args?: readonly string[];
  shell?: boolean;
}

function words(text: string): string[] {
  return text
    .split(/\s+/)
    .map((w) => w.replace(/^['"]+|['"]+$/g, ''))
    .filter((w) => w.length > 0);
}

function splitSegments(text: string): string[][] {
  return text
    .split(/;|&&|\|\||\||&|\n|\r|\$\(|`|\(|\)/)
    .map(words)
    .filter((segment) => segment.length > 0);
}

export function parseCommand(call: CommandCall): ParsedCommand {
  const extraArgs = [...(call.args ?? [])];
  const tokens = call.shell ? [...words(call.command), ...extraArgs] : [call.command, ...extraArgs];
  const [program = '', ...args] = tokens;
  const simple =
    tokens.length > 0 &&
    !hasShellMetacharacters(call.command) &&
    !extraArgs.some(hasShellMetacharacters) &&
    // Without a shell the program is one word; a space means it is not the program it looks like.
    (call.shell === true || !/\s/.test(call.command)) &&
    // `FOO=x cmd` under a shell sets the environment of cmd (PATH, LD_PRELOAD, ...).
    !(call.shell === true && program.includes('='));
  const segments = [...splitSegments(call.command), ...extraArgs.flatMap(splitSegments)];
  return { program, args, simple, segments: segments.length > 0 ? segments : [tokens] };
}

/** `/bin/rm`, `\rm`, `'rm'` and `r''m` all name rm to a shell: quotes, backslashes and the directory go. */
export function programBaseName(program: string): string {
  const parts = program.replace(/['"\\]/g, '').split('/');
  return parts[parts.length - 1] ?? program;
}

/**
 * Programs whose job is to run the program named later in their arguments (shells run a string). After one of
 * these, every later word may be the program: options differ per wrapper (`timeout 5`, `nice -n 5`, `env A=1`,
 * `sudo -u x`), so all of them are tried rather than parsing each one's options.
 */
const WRAPPERS = new Set([
  'command',
  'builtin',
  'exec',
  'eval',
  'env',
  'nice',
  'nohup',
  'time',
  'timeout',
  'xargs',
  'stdbuf',
  'ionice',
  'setsid',
  'sudo',
  'doas',
  'chrt',
  'taskset',
  'flock',
  'busybox',
  'unbuffer',
  'caffeinate',
  'watch',
  'sh',
  'bash',
  'dash',
  'zsh',
  'ksh',
  'mksh',
  'ash',
  'fish',
  'csh',
  'tcsh',
]);
/** find runs the program after each of these. */
const FIND_EXEC = new Set(['-exec', '-execdir', '-ok', '-okdir']);

/** The words after which any word may start a program, re-split: `'rm -rf x'` (sh -c, env -S) is a command line. */
function wrappedTail(segment: readonly string[]): string[][] {
  const [first = '', ...rest] = segment;
  const program = programBaseName(first);
  let from = -1;
  if (WRAPPERS.has(program)) from = 0;
  else if (program === 'find') from = rest.findIndex((word) => FIND_EXEC.has(word)) + 1;
  if (from <= 0 && !WRAPPERS.has(program)) return [];
  // Splitting the joined words again also undoes one level of quoting per nesting (`sh -c "sh -c 'rm x'"`).
  return splitSegments(rest.slice(from).join(' '));
}

/**
 * Every program invocation a command might make, for deny rules and for spotting git: the command itself, each
 * shell segment, and every word after a wrapper. An over-approximation on purpose (the word after `sudo -u` is
 * tried as a program too), never used to allow anything. With `programs`, only invocations of those (by base
 * name) are returned, so a long command costs one pass over its words, not one copy per word.
 */
export function commandCandidates(parsed: ParsedCommand, programs?: ReadonlySet<string>): string[][] {
  const wanted = (word: string) => !programs || programs.has(programBaseName(word));
  const out: string[][] = [];
  for (const segment of [[parsed.program, ...parsed.args], ...parsed.segments]) {
    if (wanted(segment[0] ?? '')) out.push(segment);
    for (const inner of wrappedTail(segment))
      for (let start = 0; start < inner.length; start++) if (wanted(inner[start]!)) out.push(inner.slice(start));
  }
  return out;
}
