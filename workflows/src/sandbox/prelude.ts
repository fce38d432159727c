// The script-side half of the workflow API, evaluated in QuickJS before the script. It turns the
// host's string-in/string-out functions into agent/parallel/pipeline/..., and removes the
// clock and randomness so a re-run makes the same agent calls (resume depends on it).
// parallel and pipeline live here, inside QuickJS, so their ordering is exactly JS promise order.

export const MAX_LIST_ITEMS = 4096;

export const PRELUDE = `(function (host) {
  'use strict';
  const MAX_LIST_ITEMS = ${MAX_LIST_ITEMS};
  const nondeterministic = (what) => function () {
    throw new Error(what + ' is not available in workflow scripts: a script must be deterministic so a re-run can reuse finished agents. Pass times and seeds in args.');
  };
  const RealDate = Date;
  const dateNow = nondeterministic('Date.now()');
  function SafeDate(...parts) {
    if (!new.target) nondeterministic('Date() without new')();
    if (parts.length === 0) nondeterministic('new Date() without an argument')();
    return Reflect.construct(RealDate, parts, new.target);
  }
  Object.defineProperty(RealDate.prototype, 'constructor', { value: SafeDate });
  Object.defineProperties(SafeDate, {
    prototype: { value: RealDate.prototype },
    now: { value: dateNow },
    UTC: { value: RealDate.UTC },
    parse: { value: RealDate.parse },
  });
  Object.defineProperty(globalThis, 'Date', { value: SafeDate, writable: false, configurable: false });
  Object.defineProperty(Math, 'random', { value: nondeterministic('Math.random()'), writable: false, configurable: false });

  // Out-of-memory and interrupts are the sandbox's, not the script's: never turn them into null.
  const isSandboxLimit = (error) =>
    error instanceof InternalError && (error.message === 'out of memory' || error.message === 'interrupted');
  const describe = (error) => (error instanceof Error ? error.name + ': ' + error.message : String(error));
  const checkList = (fn, list) => {
    if (!Array.isArray(list)) throw new TypeError(fn + '() expects an array');
    if (list.length > MAX_LIST_ITEMS) {
      throw new RangeError(fn + '() takes at most ' + MAX_LIST_ITEMS + ' items, got ' + list.length + ': split the list or batch the items');
    }
  };
  const fromHost = (json) => (json === undefined ? undefined : JSON.parse(json));

  async function agent(prompt, opts) {
    if (typeof prompt !== 'string') throw new TypeError('agent(prompt, opts?): prompt must be a string');
    if (opts !== undefined && (opts === null || typeof opts !== 'object' || Array.isArray(opts))) {
      throw new TypeError('agent(prompt, opts?): opts must be an object');
    }
    return fromHost(await host.agent(prompt, JSON.stringify(opts === undefined ? {} : opts)));
  }

  async function parallel(thunks) {
    checkList('parallel', thunks);
    return Promise.all(
      thunks.map(async (thunk, index) => {
        try {
          return await (typeof thunk === 'function' ? thunk() : thunk);
        } catch (error) {
          if (isSandboxLimit(error)) throw error;
          host.warn('parallel: item ' + index + ' threw, its result is null: ' + describe(error));
          return null;
        }
      }),
    );
  }

  async function pipeline(items, ...stages) {
    checkList('pipeline', items);
    stages.forEach((stage, i) => {
      if (typeof stage !== 'function') throw new TypeError('pipeline(items, ...stages): stage ' + i + ' is not a function');
    });
    return Promise.all(
      items.map(async (item, index) => {
        let prev = item;
        for (let s = 0; s < stages.length; s++) {
          try {
            prev = await stages[s](prev, item, index);
          } catch (error) {
            if (isSandboxLimit(error)) throw error;
            host.warn('pipeline: item ' + index + ' stage ' + s + ' threw, the item is null: ' + describe(error));
            return null;
          }
        }
        return prev;
      }),
    );
  }

  function phase(title) {
    host.phase(String(title));
  }

  function log(...parts) {
    host.log(parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' '));
  }

  async function workflow(name, args) {
    if (typeof name !== 'string') throw new TypeError('workflow(name, args?): name must be a string');
    // '' stands for "no args": JSON never serialises to an empty string.
    return fromHost(await host.workflow(name, args === undefined ? '' : JSON.stringify(args)));
  }

  // As in Claude Code: total is null without a budget, and then remaining() is Infinity.
  const total = host.budgetTotal();
  const budget = Object.freeze({
    total,
    spent: () => host.budgetSpent(),
    remaining: () => (total === null ? Infinity : Math.max(0, total - host.budgetSpent())),
  });

  const api = { agent, parallel, pipeline, phase, log, workflow, budget, args: fromHost(host.args) };
  for (const [name, value] of Object.entries(api)) {
    Object.defineProperty(globalThis, name, { value, writable: false, configurable: false, enumerable: false });
  }
  globalThis.console = Object.freeze({ log, info: log, warn: log, error: log, debug: log });
})`;
