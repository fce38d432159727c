import { describe, expect, it } from 'vitest';
import { parseResultMessage } from './result-message.ts';
import { resultMessageText, type SubagentRecord } from './subagent-records.ts';

const base: SubagentRecord = {
  id: 'ses_01abc',
  parentId: 'ses_00lead',
  parentSpanId: 'spn_1',
  label: 'alpha two',
  prompt: 'p',
  depth: 1,
  status: 'done',
  queuedAt: 1,
};

describe('result messages', () => {
  it('reads back what resultMessageText writes, for each ending', () => {
    expect(parseResultMessage(resultMessageText({ ...base, result: 'found it\nline 2' }))).toEqual({
      label: 'alpha two',
      status: 'done',
      childId: 'ses_01abc',
      body: 'found it\nline 2',
    });
    const failed = parseResultMessage(
      resultMessageText({ ...base, status: 'failed', error: { code: 'x', message: 'boom' } }),
    );
    expect(failed).toMatchObject({ status: 'failed', body: 'Error (x): boom' });
    expect(parseResultMessage(resultMessageText({ ...base, status: 'cancelled' }))?.status).toBe('cancelled');
  });

  it('leaves an ordinary user message alone', () => {
    expect(parseResultMessage('[subagent alpha done] but typed by a user')).toBeUndefined();
    expect(parseResultMessage('hello')).toBeUndefined();
  });
});
