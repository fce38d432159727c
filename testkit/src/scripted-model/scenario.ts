// Scenario files for the scripted model: an ordered list of rules, each matching a request (by its last
// user message, the tool step within that message's turn, the model, the system prompt) and scripting the
// response (reasoning, text, tool calls, errors, cuts, slow chunks). First matching rule wins.
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { UsageModeSchema } from './wire-shapes.ts';

export { type UsageMode, UsageModeSchema } from './wire-shapes.ts';

export const ScriptedToolCallSchema = z.object({
  id: z.string().optional(),
  name: z.string(),
  /** A JSON string or an object (serialised); streamed in `argumentChunks` pieces. */
  arguments: z.union([z.string(), z.record(z.string(), z.unknown())]),
});

export const ResponseScriptSchema = z.object({
  reasoning: z.string().optional(),
  /**
   * `{{lastUser}}` and `{{lastTool}}` are replaced by the request's last user / tool message, `{{seq}}` by a
   * number that grows with every answer (two answers to the same prompt differ).
   */
  text: z.string().optional(),
  /**
   * The structured answer, sent the way the request asks: as the content under `response_format: json_schema`,
   * as the arguments of a forced `respond` call, else `text` (a model asked in words may answer in prose).
   */
  json: z.unknown().optional(),
  toolCalls: z.array(ScriptedToolCallSchema).optional(),
  /** Characters per text/reasoning chunk. */
  chunkChars: z.number().int().positive().default(8),
  /** Pieces each tool call's argument JSON is split into. */
  argumentChunks: z.number().int().positive().default(3),
  /** Interleave the argument pieces of parallel tool calls (index 0, 1, 0, 1, ...). */
  interleaveToolCalls: z.boolean().default(false),
  /** Delay before each chunk, for slow streams. */
  delayMs: z.number().nonnegative().default(0),
  /** Fail with this HTTP status instead of answering (the first `times` matches only, if set). */
  error: z
    .object({
      status: z.number().int(),
      message: z.string().optional(),
      retryAfter: z.number().optional(),
      times: z.number().int().positive().optional(),
    })
    .optional(),
  /** Close the connection after this many chunks, mid-stream (0: after the headers, before the first byte). */
  cutAfterChunks: z.number().int().nonnegative().optional(),
  /** Take the request and never answer (a server that hangs). */
  hang: z.boolean().default(false),
  /** Every delta also carries its absent fields as null (`content: null`, `tool_calls: null`, …), as some servers do. */
  nullDeltas: z.boolean().default(false),
  finishReason: z.string().optional(),
  /** Wire shape (usage placement, reasoning field, cache rule); defaults by model id (see wire-shapes.ts). */
  usage: UsageModeSchema.optional(),
});
export type ResponseScript = z.infer<typeof ResponseScriptSchema>;

export const MatchSchema = z.object({
  lastUser: z.string().optional(),
  lastUserContains: z.string().optional(),
  /** Number of assistant messages after the last user message (0 = first model call of the turn). */
  step: z.number().int().nonnegative().optional(),
  model: z.string().optional(),
  systemContains: z.string().optional(),
});
export type Match = z.infer<typeof MatchSchema>;

export const RuleSchema = z.object({ match: MatchSchema.default({}), response: ResponseScriptSchema });
export type Rule = z.infer<typeof RuleSchema>;

export const ScenarioSchema = z.object({
  name: z.string(),
  description: z.string().optional(),
  rules: z.array(RuleSchema),
});
export type Scenario = z.infer<typeof ScenarioSchema>;
export type ScenarioInput = z.input<typeof ScenarioSchema>;

export interface WireMessage {
  role: string;
  content?: unknown;
  tool_calls?: unknown;
  tool_call_id?: string;
}

export interface RequestFacts {
  model: string;
  lastUser: string;
  lastTool: string;
  step: number;
  system: string;
}

export function contentText(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content))
    return content.map((p) => (p && typeof p === 'object' && 'text' in p ? String(p.text) : '')).join('');
  return '';
}

export function requestFacts(model: string, messages: WireMessage[]): RequestFacts {
  let lastUserIdx = -1;
  for (let i = messages.length - 1; i >= 0; i--)
    if (messages[i]?.role === 'user') {
      lastUserIdx = i;
      break;
    }
  const after = messages.slice(lastUserIdx + 1);
  const lastTool = [...messages].reverse().find((m) => m.role === 'tool');
  return {
    model,
    lastUser: lastUserIdx >= 0 ? contentText(messages[lastUserIdx]?.content) : '',
    lastTool: lastTool ? contentText(lastTool.content) : '',
    step: after.filter((m) => m.role === 'assistant').length,
    system: messages
      .filter((m) => m.role === 'system')
      .map((m) => contentText(m.content))
      .join('\n'),
  };
}

export function ruleMatches(match: Match, f: RequestFacts): boolean {
  if (match.lastUser !== undefined && match.lastUser !== f.lastUser) return false;
  if (match.lastUserContains !== undefined && !f.lastUser.includes(match.lastUserContains)) return false;
  if (match.step !== undefined && match.step !== f.step) return false;
  if (match.model !== undefined && match.model !== f.model) return false;
  if (match.systemContains !== undefined && !f.system.includes(match.systemContains)) return false;
  return true;
}

export function parseScenario(input: unknown): Scenario {
  return ScenarioSchema.parse(input);
}

/** Loads every `*.json` scenario in a folder, in file-name order. */
export function loadScenarioDir(dir: string): Scenario[] {
  return readdirSync(dir)
    .filter((f) => f.endsWith('.json'))
    .sort()
    .map((f) => {
      try {
        return parseScenario(JSON.parse(readFileSync(join(dir, f), 'utf8')));
      } catch (e) {
        throw new Error(`scenario ${f}: ${e instanceof Error ? e.message : String(e)}`);
      }
    });
}

/** The project's scenario files (demo, chat-e2e, subagents, workflows, ...). */
export const SCENARIOS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'scenarios');

/** The named scenarios from the project's scenario folder. */
export function loadScenarios(...names: string[]): Scenario[] {
  const all = loadScenarioDir(SCENARIOS_DIR);
  const missing = names.filter((n) => !all.some((s) => s.name === n));
  if (missing.length) throw new Error(`no scenario named ${missing.join(', ')} in ${SCENARIOS_DIR}`);
  return all.filter((s) => names.includes(s.name));
}
