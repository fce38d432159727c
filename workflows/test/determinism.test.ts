import { describe, expect, it } from 'vitest';
import { runBody } from './run-helpers.ts';

async function errorOf(expression: string): Promise<string | undefined> {
  const { outcome } = await runBody(`try { ${expression}; return 'no error'; } catch (e) { return e.message; }`);
  return outcome.result as string | undefined;
}

describe('determinism guards', () => {
  it('Date.now() throws inside a script', async () => {
    expect(await errorOf('Date.now()')).toContain('Date.now() is not available in workflow scripts');
  });

  it('Math.random() throws inside a script', async () => {
    expect(await errorOf('Math.random()')).toContain('Math.random() is not available in workflow scripts');
  });

  it('new Date() without an argument throws inside a script', async () => {
    expect(await errorOf('new Date()')).toContain('new Date() without an argument is not available');
    expect(await errorOf('Date()')).toContain('is not available');
  });

  it('cannot get the real clock back through the Date prototype or by reassigning', async () => {
    expect(await errorOf('new (new Date(0).constructor)()')).toContain('is not available');
    expect(await errorOf('Math.random = () => 4; Math.random()')).not.toBe('no error');
  });

  it('new Date(value) still works', async () => {
    const { outcome } = await runBody(`return new Date(Date.UTC(2024, 0, 2)).toISOString();`);
    expect(outcome.result).toBe('2024-01-02T00:00:00.000Z');
  });
});
