// Shapes stored in a `session:<id>` doc. One runtime schema per shape; the type is inferred from it.
// The server's projection (tool_traces, agent_snapshots) validates with these before it writes rows.
import { z } from 'zod';
import { SessionKindSchema } from './space-schema.ts';

export const SessionMetaSchema = z.object({
  id: z.string(),
  title: z.string(),
  kind: SessionKindSchema,
  createdAt: z.number(),
  model: z.string().optional(),
  provider: z.string().optional(),
  parentId: z.string().optional(),
  /** The span in the parent session that spawned this one (subagents, workflow agents). */
  parentSpanId: z.string().optional(),
  /** Set on a session forked from another one's snapshot. */
  forkedFrom: z.object({ sessionId: z.string(), turn: z.number() }).optional(),
  workspace: z.string().optional(),
  /** The only tools this session may call (a subagent its lead limited); absent means all it is given. */
  tools: z.array(z.string()).optional(),
  /** The runner worktree (named by this session's id) its file tools and commands are pinned to. */
  worktree: z.string().optional(),
  /** False when a finished background subagent must not start a turn of this (idle) lead on its own. */
  wakeOnResults: z.boolean().optional(),
  /**
   * The base URL of a keyless model server reached directly (the scripted model, a local server), recorded
   * when a tab hands a turn to the agent host so the host calls the same server. Never a key.
   */
  modelBaseUrl: z.string().optional(),
  /**
   * Whether the session is offered the subagent tools. Absent: on for coder sessions, off for chat sessions
   * (their definitions cost every call ~450 tokens). Kept in the doc so every driver offers the same tools.
   */
  subagents: z.boolean().optional(),
});
export type SessionMeta = z.infer<typeof SessionMetaSchema>;

export const MessageRoleSchema = z.enum(['system', 'user', 'assistant', 'tool', 'notice']);
export type MessageRole = z.infer<typeof MessageRoleSchema>;

export const MessageStatusSchema = z.enum(['streaming', 'done', 'interrupted', 'error', 'cancelled']);
export type MessageStatus = z.infer<typeof MessageStatusSchema>;

export const ToolCallSchema = z.object({ id: z.string(), name: z.string(), arguments: z.string() });

/**
 * Why an assistant answer is not whole. `cut`: the stream ended early (connection lost, provider error
 * mid-stream); `cancelled`: the user stopped it; `interrupted`: the driver went away mid-stream (tab reload or
 * close, crash) and the model call is re-issued; `length`: the model stopped at its output limit.
 */
export const IncompleteReasonSchema = z.enum(['cut', 'cancelled', 'interrupted', 'length']);
export type IncompleteReason = z.infer<typeof IncompleteReasonSchema>;

/** On an assistant message whose answer is partial; the next request sends it marked as such, or leaves it out. */
export const IncompleteSchema = z.object({
  reason: IncompleteReasonSchema,
  /** When it was marked (driver's clock). */
  at: z.number(),
  /** The failure in words, when there was one (the stream-cut message, for instance). */
  detail: z.string().optional(),
});
export type Incomplete = z.infer<typeof IncompleteSchema>;

/** A model call waiting to be re-sent (rate limit, server error): the message shows "retrying in 7 s". */
export const RetryWaitSchema = z.object({
  /** When the next try goes out (driver's clock); `waitMs` bounds a countdown read on another clock. */
  until: z.number(),
  waitMs: z.number(),
  /** The try about to be made (2 = the first retry) and how many there may be in all. */
  attempt: z.number(),
  of: z.number(),
  /** What failed, in words. */
  reason: z.string(),
});
export type RetryWait = z.infer<typeof RetryWaitSchema>;

/** On a user message: the turn's answer must match this JSON Schema (a workflow's `agent({ schema })`). */
export const OutputSpecSchema = z.object({
  schema: z.record(z.string(), z.unknown()),
  /** A name for the schema (letters, digits, _ and -), sent with `response_format`. */
  name: z
    .string()
    .regex(/^[A-Za-z0-9_-]{1,64}$/)
    .optional(),
});
export type OutputSpec = z.infer<typeof OutputSpecSchema>;
export type ToolCall = z.infer<typeof ToolCallSchema>;

/** A reference to a content-addressed blob; the bytes are never inside a Y.Doc. */
export const AttachmentSchema = z.object({
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  mime: z.string(),
  name: z.string().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  bytes: z.number(),
  originalBytes: z.number().optional(),
  originalWidth: z.number().optional(),
  originalHeight: z.number().optional(),
  kind: z.enum(['image', 'text']),
});
export type Attachment = z.infer<typeof AttachmentSchema>;

/** The plain fields of a message; `text` and `reasoning` are Y.Text in the doc (appended in batches). */
export const MessageFieldsSchema = z.object({
  id: z.string(),
  role: MessageRoleSchema,
  createdAt: z.number(),
  turn: z.number(),
  status: MessageStatusSchema,
  toolCalls: z.array(ToolCallSchema).optional(),
  toolCallId: z.string().optional(),
  spanId: z.string().optional(),
  attachments: z.array(AttachmentSchema).optional(),
  error: z.object({ code: z.string(), message: z.string() }).optional(),
  model: z.string().optional(),
  /** Assistant messages only: set when the answer is partial (see IncompleteSchema). */
  incomplete: IncompleteSchema.optional(),
  /** Assistant messages only, while a failed call waits to be re-sent. */
  retry: RetryWaitSchema.optional(),
  /** User messages only: the JSON Schema the turn's answer must match. */
  output: OutputSpecSchema.optional(),
  /**
   * Set on every message of a turn that was asked again (Retry, Regenerate): the newer turn stands in for it,
   * so the model never sees it, and the chat shows it only when the user flips back to it (which moves the mark).
   */
  superseded: z.boolean().optional(),
  /** User messages only: the first turn of the group of alternatives this turn re-asks (the "2/2" pager). */
  alternativeOf: z.number().optional(),
});
export type MessageFields = z.infer<typeof MessageFieldsSchema>;
export type Message = MessageFields & { text: string; reasoning: string };

export const SpanKindSchema = z.enum(['model', 'tool', 'autofix', 'subagent', 'workflow-agent']);
export type SpanKind = z.infer<typeof SpanKindSchema>;

/** `awaiting-approval`: a tool call that has not started and waits for the user's answer (in the doc). */
export const SpanStatusSchema = z.enum(['open', 'awaiting-approval', 'ok', 'error', 'cancelled', 'interrupted']);
export type SpanStatus = z.infer<typeof SpanStatusSchema>;

/** Token usage of one model call, normalised across providers. `reported: false` means the provider sent none. */
export const UsageSchema = z.object({
  reported: z.boolean(),
  prompt: z.number(),
  completion: z.number(),
  reasoning: z.number(),
  /** Prompt tokens served from the provider's cache; undefined when the provider does not say. */
  cacheHit: z.number().optional(),
  cacheMiss: z.number().optional(),
});
export type Usage = z.infer<typeof UsageSchema>;

export const PromptSegmentSchema = z.object({
  kind: z.enum(['system', 'tools', 'history', 'input']),
  bytes: z.number(),
  tokens: z.number(),
  hash: z.string(),
  /** A short text the cache-break explainer diffs against the previous call (bounded size). */
  preview: z.string().optional(),
});
export type PromptSegment = z.infer<typeof PromptSegmentSchema>;

export const SpanErrorSchema = z.object({ code: z.string(), message: z.string() });
export type SpanError = z.infer<typeof SpanErrorSchema>;

export const ApprovalAnswerSchema = z.enum(['approve', 'deny', 'always']);
export type ApprovalAnswer = z.infer<typeof ApprovalAnswerSchema>;

/**
 * A tool call's question to the user, kept on its span so any tab on any device can answer it and
 * whichever driver holds the session's lease acts on the answer. `ask`: the call has not run (the
 * runner's rules say ask); `rerun`: it was running when its driver stopped and may have taken effect.
 */
export const SpanApprovalSchema = z.object({
  kind: z.enum(['ask', 'rerun']),
  /** Why it needs the user, in words. */
  reason: z.string(),
  /** False when no exact allow rule can be made for it (shell syntax): "Always allow" is not offered. */
  canAlwaysAllow: z.boolean(),
  /** Set when the call can run code or harm beyond its arguments (a write under .git/): said in words. */
  danger: z.string().optional(),
  askedAt: z.number(),
  answer: ApprovalAnswerSchema.optional(),
  answeredAt: z.number().optional(),
  /** The driver id (tab or host) that wrote the answer. */
  answeredBy: z.string().optional(),
});
export type SpanApproval = z.infer<typeof SpanApprovalSchema>;

export const SpanSchema = z.object({
  id: z.string(),
  parentId: z.string().optional(),
  kind: SpanKindSchema,
  name: z.string(),
  turn: z.number(),
  messageId: z.string().optional(),
  startedAt: z.number(),
  endedAt: z.number().optional(),
  status: SpanStatusSchema,
  input: z.unknown().optional(),
  output: z.unknown().optional(),
  /** True when output was cut to the size cap. */
  outputTruncated: z.boolean().optional(),
  error: SpanErrorSchema.optional(),
  model: z.string().optional(),
  usage: UsageSchema.optional(),
  cost: z.number().optional(),
  segments: z.array(PromptSegmentSchema).optional(),
  /** Tool calls only: whether re-running it after a crash is safe without asking. */
  readOnly: z.boolean().optional(),
  /** Tool calls only: the model's tool-call id, linking the span to its assistant and tool messages. */
  toolCallId: z.string().optional(),
  childSessionId: z.string().optional(),
  /** Tool calls only: the user's approval, asked and answered in the doc (waiting is not running). */
  approval: SpanApprovalSchema.optional(),
});
export type Span = z.infer<typeof SpanSchema>;

export const UsageTotalsSchema = z.object({
  prompt: z.number(),
  completion: z.number(),
  reasoning: z.number(),
  cacheHit: z.number(),
  cacheMiss: z.number(),
  cost: z.number(),
});
export type UsageTotals = z.infer<typeof UsageTotalsSchema>;

export const SnapshotSchema = z.object({
  turn: z.number(),
  at: z.number(),
  messageCount: z.number(),
  usage: UsageTotalsSchema,
  pending: z.array(z.string()),
  outcome: z.enum(['ok', 'error', 'cancelled', 'interrupted', 'step-limit']),
  startedAt: z.number().optional(),
  tools: z.array(z.string()).optional(),
  /** Id of the first message of the turn, so the timeline can scroll the chat to it. */
  firstMessageId: z.string().optional(),
});
export type Snapshot = z.infer<typeof SnapshotSchema>;

/**
 * `queued`: a user's message waits for a driver (a tab handed the turn to the agent host, or the host is
 * away and a tab will take it); `waiting-approval`: the turn ended on calls that need the user's answer.
 */
export const RunStatusSchema = z.enum(['idle', 'queued', 'running', 'waiting-approval', 'interrupted']);
export const RunStateSchema = z.object({
  status: RunStatusSchema,
  /** Who drives (or last drove) the turn: `host:<id>` or `<device>/<tab>`; the lease decides, this shows it. */
  driver: z.string().optional(),
  heartbeatAt: z.number().optional(),
  turn: z.number(),
  /** Tool calls awaiting the user's approval (span ids). */
  pendingApprovals: z.array(z.string()).optional(),
  /** Set by any tab on any device to stop the turn with this number; whoever drives it stops. */
  cancelRequested: z.number().optional(),
});
export type RunState = z.infer<typeof RunStateSchema>;

export function emptyUsageTotals(): UsageTotals {
  return { prompt: 0, completion: 0, reasoning: 0, cacheHit: 0, cacheMiss: 0, cost: 0 };
}
