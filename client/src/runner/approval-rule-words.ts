// Approval rules in words for Settings → Runner: what a rule does, and what a draft rule would catch that the
// user may not expect. The matching itself is evaluateApproval's (shared); this only explains it.
import { type ApprovalRule, approvalRuleSchema, describeRule } from '@boocode/shared/runner/approval-policy';
import { hasShellMetacharacters } from '@boocode/shared/runner/command-line';
import { runnerTools, type ToolName } from '@boocode/shared/runner/tool-contracts';

export const RULE_TOOLS = Object.keys(runnerTools) as ToolName[];

/** One sentence after the rule's short form: what happens to a call it matches. */
export function ruleConsequence(rule: ApprovalRule): string {
  if (rule.effect === 'deny' && rule.tool === 'run_command' && rule.command !== undefined)
    return 'Refused without asking, even when approved: deny rules win (best effort on command lines).';
  if (rule.effect === 'deny') return 'Refused without asking, even when approved: deny rules win.';
  if (rule.tool === '*')
    return 'Every tool runs without asking, except writes inside .git/ or to .boocode/hooks.json, which always ask.';
  if (rule.tool === 'run_command' && rule.command === undefined)
    return 'Every command runs without asking (except ones using shell syntax, or naming .git/, which ask).';
  if (rule.tool === 'run_command') return 'Runs without asking (never when the command uses shell syntax).';
  if (runnerTools[rule.tool].access === 'read') return 'Runs without asking (reading tools always do).';
  return 'Runs without asking, except writes inside .git/ or to .boocode/hooks.json, which always ask.';
}

export interface RuleDraft {
  effect: 'allow' | 'deny';
  tool: ToolName | '*';
  /** Only for run_command; empty means every command. */
  command: string;
}

/** The rule a draft makes, or why it cannot be one (in words). */
export function ruleFromDraft(draft: RuleDraft): ApprovalRule | Error {
  const command = draft.tool === 'run_command' ? draft.command.trim().replace(/\s+/g, ' ') : '';
  const candidate = { effect: draft.effect, tool: draft.tool, ...(command ? { command } : {}) };
  const parsed = approvalRuleSchema.safeParse(candidate);
  if (!parsed.success)
    return new Error('This rule is not one the runner accepts (a command is at most 1000 characters).');
  return parsed.data;
}

/** A warning about a draft that would not do what it seems to, or undefined. */
export function draftWarning(draft: RuleDraft): string | undefined {
  if (draft.effect === 'allow' && draft.tool === '*')
    return 'This lets the agent write files and run any command without asking.';
  if (draft.tool !== 'run_command') return undefined;
  const words = draft.command.trim().split(/\s+/).filter(Boolean);
  if (words.length === 0)
    return draft.effect === 'allow' ? 'This lets the agent run any command without asking.' : undefined;
  if (draft.effect === 'allow' && hasShellMetacharacters(words.filter((w) => w !== '*').join(' ')))
    return 'Commands with shell syntax never match an allow rule, so this one would match nothing.';
  if (words.length === 1 && words[0] !== '*')
    return `This matches ${words[0]} with no arguments only; “${words[0]} *” matches it with any arguments.`;
  return undefined;
}

/** Same rule, field by field (rules have no id; the runner keeps them as a list). */
export function sameRule(a: ApprovalRule, b: ApprovalRule): boolean {
  return a.effect === b.effect && a.tool === b.tool && a.command === b.command;
}

/** Stable React keys for a list that may hold the same rule twice: its words, then which occurrence. */
export function ruleKeys(rules: readonly ApprovalRule[]): string[] {
  const seen = new Map<string, number>();
  return rules.map((rule) => {
    const words = describeRule(rule);
    const n = (seen.get(words) ?? 0) + 1;
    seen.set(words, n);
    return `${words}#${n}`;
  });
}
