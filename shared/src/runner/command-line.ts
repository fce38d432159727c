// Splits a command into program and arguments for rule matching, and spots shell syntax.
// Invariant: a command containing any shell metacharacter is never "simple", so it can never
// match an allow rule; chaining (`;`, `&&`, `|`), substitution (`$(...)`, backticks),
// redirection and globbing cannot smuggle a second command past a rule.

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

export function programBaseName(program: string): string {
  const parts = program.split('/');
  return parts[parts.length - 1] ?? program;
}
