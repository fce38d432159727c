// Test support for driving the agent engine against the scripted model over real HTTP: a session doc, fake
// tools that record their calls and can be held mid-run, a clock that records sleeps, and waiting for doc
// conditions without sleeping.

import { AgentEngine } from '@boocode/shared/agent/agent-engine';
import {
  type AgentConfig,
  type Clock,
  type DriverSeat,
  realClock,
  type ToolContext,
  type ToolDefinition,
  type ToolExecutor,
  type ToolInvocation,
  type ToolResult,
} from '@boocode/shared/agent/engine-deps';
import { createStopSource } from '@boocode/shared/agent/stop-signal';
import { initSessionMeta, observeSession } from '@boocode/shared/doc/session';
import { newId } from '@boocode/shared/ids';
import { createChatCompletionsClient } from '@boocode/shared/model/chat-completions-client';
import * as Y from 'yjs';
import { loadScenarios } from './scripted-model/scenario.ts';
import { type ScriptedModel, startScriptedModel } from './scripted-model/server.ts';

export function startTestModel(): Promise<ScriptedModel> {
  return startScriptedModel({ scenarios: loadScenarios('engine-tests') });
}

export function newSessionDoc(id = newId('ses')): Y.Doc {
  const doc = new Y.Doc();
  initSessionMeta(doc, { id, title: 'test', kind: 'coder', createdAt: Date.now() });
  return doc;
}

/** A replica of `doc` as it is now: what another tab would load after the driver died. */
export function replicaOf(state: Uint8Array): Y.Doc {
  const doc = new Y.Doc();
  Y.applyUpdate(doc, state);
  return doc;
}

export const TOOL_DEFS: ToolDefinition[] = [
  {
    name: 'read_file',
    description: 'Read a file',
    parameters: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] },
    readOnly: true,
  },
  {
    name: 'write_file',
    description: 'Write a file',
    parameters: {
      type: 'object',
      properties: { path: { type: 'string' }, content: { type: 'string' } },
      required: ['path', 'content'],
    },
    readOnly: false,
  },
];

/** Fake file tools: records every call; `hold` makes calls wait until released (or aborted). */
export class FakeTools implements ToolExecutor {
  calls: ToolInvocation[] = [];
  private held: Array<() => void> = [];
  hold = false;
  /** When false, a held call ignores cancel (a badly behaved tool). */
  respectAbort = true;
  /** Tools that ask the user before they run (as the runner's rules make write_file do). */
  asking = new Set<string>();
  onStart?: (call: ToolInvocation) => void;

  definitions(): ToolDefinition[] {
    return TOOL_DEFS;
  }

  async execute(
    call: ToolInvocation,
    ctx: Pick<ToolContext, 'signal' | 'approved' | 'askApproval'>,
  ): Promise<ToolResult> {
    if (this.asking.has(call.name) && !ctx.approved) {
      const answer = await ctx.askApproval({ reason: `${call.name} changes the workspace`, canAlwaysAllow: true });
      if (ctx.signal.aborted) return { ok: false, error: { code: 'cancelled', message: 'Cancelled.' } };
      if (answer === 'deny') return { ok: false, error: { code: 'DENIED_BY_USER', message: 'The user denied it.' } };
    }
    this.calls.push(call);
    this.onStart?.(call);
    if (this.hold) {
      await new Promise<void>((resolve) => {
        this.held.push(resolve);
        if (this.respectAbort) ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      if (ctx.signal.aborted) return { ok: false, error: { code: 'aborted', message: 'aborted' } };
    }
    const args = call.args as { path?: string; content?: string };
    if (call.name === 'read_file') return { ok: true, output: `contents of ${args.path}` };
    return { ok: true, output: `wrote ${args.content?.length ?? 0} bytes to ${args.path}` };
  }

  release(): void {
    for (const r of this.held.splice(0)) r();
  }
}

/** Tests set this heartbeat period so a recorded sleep can be told apart from a retry wait. */
/** The beat of a test seat's lease: its sleeps are not recorded as retries. */
export const TEST_HEARTBEAT_MS = 777;

/** The real clock, except that sleeps are recorded and cut to `maxSleepMs` so retry tests stay fast. */
export function recordingClock(maxSleepMs = 20): Clock & { sleeps: number[] } {
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => Date.now(),
    sleep: (ms, signal) => {
      if (ms !== TEST_HEARTBEAT_MS) sleeps.push(ms);
      return realClock.sleep(Math.min(ms, maxSleepMs), signal);
    },
  };
}

export function makeEngine(
  doc: Y.Doc,
  model: ScriptedModel,
  opts: {
    tools?: ToolExecutor;
    config?: Partial<AgentConfig>;
    clock?: Clock;
    modelId?: string;
    seat?: DriverSeat;
  } = {},
): AgentEngine {
  return new AgentEngine(
    {
      doc,
      model: createChatCompletionsClient({ baseUrl: model.baseUrl, apiKey: 'test-key' }),
      tools: opts.tools,
      clock: opts.clock ?? realClock,
      newId: (prefix) => newId(prefix),
      driverId: newId('tab'),
      seat: opts.seat,
    },
    { model: opts.modelId ?? 'scripted-deepseek', ...opts.config },
  );
}

/** Resolves once `cond(doc)` holds, checked after every doc change; rejects after `timeoutMs`. */
export function waitForDoc(doc: Y.Doc, cond: (doc: Y.Doc) => boolean, timeoutMs = 5000): Promise<void> {
  return new Promise((resolve, reject) => {
    if (cond(doc)) return resolve();
    const timer = setTimeout(() => {
      stop();
      reject(new Error('waitForDoc: condition not met in time'));
    }, timeoutMs);
    const stop = observeSession(doc, () => {
      if (!cond(doc)) return;
      clearTimeout(timer);
      stop();
      resolve();
    });
  });
}

/** A tool context for calling an executor directly: nobody answers approvals (they count as denied). */
export function testToolContext(overrides: Partial<ToolContext> = {}): ToolContext {
  return {
    signal: createStopSource().signal,
    spanId: newId('spn'),
    approved: false,
    askApproval: async () => 'deny',
    ...overrides,
  };
}
