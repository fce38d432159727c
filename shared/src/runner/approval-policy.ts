// Decides whether a tool call may run: read-only tools run freely; writes and commands need the
// user's approval unless an allow rule covers them; a write to a control path (git's folder, the
// hooks file) always asks, with the danger in words; a matching deny rule always wins, even over
// an approval. Pure, so the client (to show the prompt) and the runner (to enforce) agree.
import { z } from 'zod';
import {
  type CommandCall,
  commandCandidates,
  type ParsedCommand,
  parseCommand,
  programBaseName,
} from './command-line.ts';
import { type ControlPathKind, controlPathInWord, controlPathKind, controlPathReason } from './control-paths.ts';
import { isGitConfigWrite, parseGitInvocation } from './git-invocation.ts';
import { runnerTools, type ToolName, toolNameSchema } from './tool-contracts.ts';

export const approvalRuleSchema = z.strictObject({
  effect: z.enum(['allow', 'deny']),
  /** A tool name, or '*' for every tool. */
  tool: z.union([toolNameSchema, z.literal('*')]),
  /**
   * run_command only: whitespace-separated words matched against program and arguments.
   * `*` matches one argument; a trailing `*` matches any remaining arguments (zero or more).
   * Example: `npm run *`, `git status`, `rm *`.
   */
  command: z.string().min(1).max(1000).optional(),
});
export type ApprovalRule = z.infer<typeof approvalRuleSchema>;
export const approvalRulesSchema = z.array(approvalRuleSchema).max(1000);

export type ApprovalDecision =
  | { decision: 'allow'; reason: string; rule?: ApprovalRule }
  /** `danger` is set when the call touches a control path: no allow rule covers it and none is offered. */
  | { decision: 'ask'; reason: string; danger?: ControlPathKind }
  | { decision: 'deny'; reason: string; rule: ApprovalRule };

export interface ToolCallForApproval {
  tool: ToolName;
  /** The tool input; for run_command its command, args and shell are read. */
  input: unknown;
}

function patternWords(pattern: string): string[] {
  return pattern.trim().split(/\s+/);
}

function argsMatch(patternArgs: string[], args: string[]): boolean {
  for (let i = 0; i < patternArgs.length; i++) {
    const word = patternArgs[i];
    if (word === '*' && i === patternArgs.length - 1) return true;
    const arg = args[i];
    if (arg === undefined) return false;
    if (word !== '*' && word !== arg) return false;
  }
  return patternArgs.length === args.length;
}

/** Allow rules compare the program exactly: `./ls` is not `ls`. */
function allowMatches(pattern: string, parsed: ParsedCommand): boolean {
  if (!parsed.simple) return false;
  const [program, ...rest] = patternWords(pattern);
  return program === parsed.program && argsMatch(rest, parsed.args);
}

/**
 * Deny rules compare base names in every segment and behind wrappers, so `/bin/rm`, `ls; rm x`, `env rm x` and
 * `sh -c 'rm x'` hit `rm *`. Arguments are compared without their quotes, as the shell would pass them.
 */
function denyMatches(pattern: string, parsed: ParsedCommand): boolean {
  const [program = '', ...rest] = patternWords(pattern);
  const candidates = commandCandidates(parsed, new Set([programBaseName(program)]));
  return candidates.some(([, ...args]) => argsMatch(rest, args.map(unquoted)));
}

const unquoted = (word: string) => word.replace(/^['"]+|['"]+$/g, '');

function commandOf(input: unknown): CommandCall {
  const value = (input ?? {}) as Partial<CommandCall>;
  return {
    command: typeof value.command === 'string' ? value.command : '',
    args: Array.isArray(value.args) ? value.args.filter((a): a is string => typeof a === 'string') : [],
    shell: value.shell === true,
  };
}

function ruleApplies(rule: ApprovalRule, call: ToolCallForApproval, parsed: ParsedCommand | undefined): boolean {
  if (rule.tool !== '*' && rule.tool !== call.tool) return false;
  if (rule.command === undefined) {
    // A tool-wide allow rule for run_command still never covers shell syntax.
    return !(rule.effect === 'allow' && parsed !== undefined && !parsed.simple);
  }
  if (parsed === undefined) return false;
  return rule.effect === 'deny' ? denyMatches(rule.command, parsed) : allowMatches(rule.command, parsed);
}

/** The write or command touches a control path: it asks, with why, before any allow rule is looked at. */
function controlPathAsk(call: ToolCallForApproval, parsed: ParsedCommand | undefined): ApprovalDecision | undefined {
  if (parsed === undefined) {
    const path = (call.input as { path?: unknown } | undefined)?.path;
    const kind = typeof path === 'string' ? controlPathKind(path) : undefined;
    if (!kind) return undefined;
    return { decision: 'ask', reason: controlPathReason({ kind, path: path as string }, 'writes'), danger: kind };
  }
  const cwd = (call.input as { cwd?: unknown } | undefined)?.cwd;
  const words = [parsed.program, ...parsed.args, ...parsed.segments.flat(), ...(typeof cwd === 'string' ? [cwd] : [])];
  for (const word of words) {
    const control = controlPathInWord(word);
    if (control) return { decision: 'ask', reason: controlPathReason(control, 'names'), danger: control.kind };
  }
  const configWrite = commandCandidates(parsed, GIT).some(([, ...args]) => isGitConfigWrite(parseGitInvocation(args)));
  if (configWrite)
    return {
      decision: 'ask',
      reason:
        "it runs `git config` to change a setting, and git config can name a program for git to run (a hook path, core.fsmonitor, a filter) on the next git command, yours or the agent's, so this always asks, whatever the allow rules say",
      danger: 'git',
    };
  return undefined;
}

const GIT = new Set(['git']);

export function evaluateApproval(call: ToolCallForApproval, rules: readonly ApprovalRule[]): ApprovalDecision {
  const parsed = call.tool === 'run_command' ? parseCommand(commandOf(call.input)) : undefined;
  const deny = rules.find((rule) => rule.effect === 'deny' && ruleApplies(rule, call, parsed));
  if (deny) return { decision: 'deny', reason: `denied by rule ${describeRule(deny)}`, rule: deny };
  if (runnerTools[call.tool].access === 'read') return { decision: 'allow', reason: 'read-only tool' };
  const control = controlPathAsk(call, parsed);
  if (control) return control;
  const allow = rules.find((rule) => rule.effect === 'allow' && ruleApplies(rule, call, parsed));
  if (allow) return { decision: 'allow', reason: `allowed by rule ${describeRule(allow)}`, rule: allow };
  if (parsed && !parsed.simple) {
    return { decision: 'ask', reason: 'the command uses shell syntax, which no allow rule can cover' };
  }
  return { decision: 'ask', reason: `${call.tool} changes the workspace and needs approval` };
}

/** What the runner does with a decision and the client's `approved` flag. */
export function mayRun(decision: ApprovalDecision, approved: boolean | undefined): boolean {
  if (decision.decision === 'deny') return false;
  return decision.decision === 'allow' || approved === true;
}

/** The rule "Always allow" adds for a call, or undefined when none can be exact (shell syntax). */
export function suggestAllowRule(call: ToolCallForApproval): ApprovalRule | undefined {
  // A control path always asks: a rule offered there would not do what "Always allow" says.
  if (controlPathAsk(call, call.tool === 'run_command' ? parseCommand(commandOf(call.input)) : undefined))
    return undefined;
  if (call.tool !== 'run_command') return { effect: 'allow', tool: call.tool };
  const parsed = parseCommand(commandOf(call.input));
  if (!parsed.simple || [parsed.program, ...parsed.args].some((w) => /\s|^\*$/.test(w) || w === '')) return undefined;
  return { effect: 'allow', tool: 'run_command', command: [parsed.program, ...parsed.args].join(' ') };
}

export function describeRule(rule: ApprovalRule): string {
  return `${rule.effect} ${rule.tool}${rule.command ? ` \`${rule.command}\`` : ''}`;
}
