import { describe, expect, it } from 'vitest';
import { MAX_LIST_ITEMS } from '../src/sandbox/prelude.ts';
import { runBody } from './run-helpers.ts';
import { deferred, scriptedAgent } from './scripted-agent.ts';

describe('parallel()', () => {
  it('is a barrier: resolves once every thunk has finished, results in thunk order', async () => {
    const delays: Record<string, number> = { a: 60, b: 5, c: 30 };
    const agent = scriptedAgent(
      async (spec) => {
        await new Promise((resolve) => setTimeout(resolve, delays[spec.prompt]));
        return spec.prompt.toUpperCase();
      },
      { gate: 3 },
    );
    const { outcome } = await runBody(
      `const r = await parallel([() => agent('a'), () => agent('b'), () => agent('c')]);
       return { r, spentAfter: budget.spent() };`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual({ r: ['A', 'B', 'C'], spentAfter: 30 });
    expect(agent.maxInFlight).toBe(3);
  });

  it('never rejects: a throwing thunk gives null and is logged', async () => {
    const { outcome, store } = await runBody(
      `return await parallel([() => 1, () => { throw new Error('bad thunk') }, async () => { await null; throw 'x' }, () => agent('ok')]);`,
    );
    expect(outcome.result).toEqual([1, null, null, 'answer to ok']);
    expect(store.state.log.map((l) => l.message)).toContain(
      'parallel: item 1 threw, its result is null: Error: bad thunk',
    );
  });
});

describe('pipeline()', () => {
  it('passes (prev, item, index) to each stage and returns results in item order', async () => {
    const agent = scriptedAgent(async (spec) => {
      // Later items finish first, so completion order differs from item order.
      await new Promise((resolve) => setTimeout(resolve, spec.prompt.endsWith('0') ? 40 : 1));
      return `r(${spec.prompt})`;
    });
    const { outcome } = await runBody(
      `return await pipeline(['x', 'y', 'z'],
        (prev, item, index) => agent(prev + index),
        (prev, item, index) => prev + '|' + item + '|' + index);`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual(['r(x0)|x|0', 'r(y1)|y|1', 'r(z2)|z|2']);
  });

  it('has no barrier between stages: item 0 reaches stage 2 while item 1 is still in stage 1', async () => {
    const stage2Item0Started = deferred();
    const agent = scriptedAgent(async (spec) => {
      if (spec.prompt === 's2 0') stage2Item0Started.resolve();
      // Item 1's first stage only finishes after item 0 started its second stage (or after 2 s).
      if (spec.prompt === 's1 1') {
        const started = await Promise.race([
          stage2Item0Started.promise.then(() => 'after'),
          new Promise((resolve) => setTimeout(() => resolve('timeout'), 2000)),
        ]);
        return `s1 1 ${started}`;
      }
      return spec.prompt;
    });
    const { outcome } = await runBody(
      `return await pipeline([0, 1], (prev, item) => agent('s1 ' + item), (prev, item) => agent('s2 ' + item).then(() => prev));`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual(['s1 0', 's1 1 after']);
  });

  it('a throwing stage makes that item null and skips its later stages', async () => {
    const agent = scriptedAgent();
    const { outcome, store } = await runBody(
      `return await pipeline([1, 2, 3],
        (prev) => { if (prev === 2) throw new Error('no twos'); return prev * 10; },
        (prev, item) => agent('later ' + item));`,
      { runAgent: agent.runAgent },
    );
    expect(outcome.result).toEqual(['answer to later 1', null, 'answer to later 3']);
    expect(agent.prompts.sort()).toEqual(['later 1', 'later 3']);
    expect(store.state.log.map((l) => l.message)).toContain(
      'pipeline: item 1 stage 0 threw, the item is null: Error: no twos',
    );
  });
});

describe('list limits', () => {
  it(`parallel and pipeline accept ${MAX_LIST_ITEMS} items`, async () => {
    const { outcome } = await runBody(
      `const items = Array.from({ length: ${MAX_LIST_ITEMS} }, (_, i) => i);
       const a = await parallel(items.map((i) => () => i));
       const b = await pipeline(items, (prev) => prev + 1);
       return [a.length, b[${MAX_LIST_ITEMS - 1}]];`,
    );
    expect(outcome.result).toEqual([MAX_LIST_ITEMS, MAX_LIST_ITEMS]);
  });

  it(`parallel and pipeline refuse more than ${MAX_LIST_ITEMS} items with an error, never a silent cut`, async () => {
    const { outcome } = await runBody(
      `const items = Array.from({ length: ${MAX_LIST_ITEMS + 1} }, (_, i) => i);
       const errors = [];
       try { await parallel(items.map((i) => () => i)); } catch (e) { errors.push(e.message); }
       try { await pipeline(items, (prev) => prev); } catch (e) { errors.push(e.message); }
       return errors;`,
    );
    expect(outcome.result).toEqual([
      `parallel() takes at most ${MAX_LIST_ITEMS} items, got ${MAX_LIST_ITEMS + 1}: split the list or batch the items`,
      `pipeline() takes at most ${MAX_LIST_ITEMS} items, got ${MAX_LIST_ITEMS + 1}: split the list or batch the items`,
    ]);
  });
});
