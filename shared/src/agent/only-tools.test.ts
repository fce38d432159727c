import { testToolContext } from '@boocode/testkit/engine-harness';
import { describe, expect, it } from 'vitest';
import type { ToolExecutor } from './engine-deps.ts';
import { onlyTools } from './only-tools.ts';
import { createStopSource } from './stop-signal.ts';

const ran: string[] = [];
const base: ToolExecutor = {
  definitions: () =>
    ['read_file', 'write_file', 'run_command'].map((name) => ({
      name,
      description: name,
      parameters: { type: 'object', properties: {} },
      readOnly: name === 'read_file',
    })),
  execute: async (call) => {
    ran.push(call.name);
    return { ok: true, output: call.name };
  },
};

describe('onlyTools', () => {
  it('offers only the allowed tools and refuses a call to another without running it', async () => {
    const limited = onlyTools(base, ['read_file']);
    expect(limited.definitions().map((d) => d.name)).toEqual(['read_file']);
    const ctx = testToolContext({ signal: createStopSource().signal, spanId: 'spn_1' });
    expect(await limited.execute({ id: 'c1', name: 'read_file', args: {}, rawArguments: '{}' }, ctx)).toEqual({
      ok: true,
      output: 'read_file',
    });
    const refused = await limited.execute({ id: 'c2', name: 'run_command', args: {}, rawArguments: '{}' }, ctx);
    expect(refused).toMatchObject({ ok: false, error: { code: 'TOOL_NOT_ALLOWED' } });
    expect(ran).toEqual(['read_file']);
  });
});
