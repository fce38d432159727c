// Runs one checked workflow program in a fresh QuickJS runtime with a memory limit, a stack
// limit and a CPU deadline counted only while QuickJS executes (time spent awaiting host
// promises is the caller's wall-clock limit to enforce, through `signal`).
// Invariant: every handle is released before the runtime is freed, whatever way the run ends.
import type {
  DisposableResult,
  QuickJSContext,
  QuickJSDeferredPromise,
  QuickJSHandle,
  QuickJSRuntime,
} from 'quickjs-emscripten-core';
import { WorkflowError } from '../engine/workflow-error.ts';
import { PRELUDE } from './prelude.ts';
import type { BoundedQuickJS } from './quickjs-module.ts';

/** What the script can reach. Strings in and out: values cross the boundary as JSON. */
export interface SandboxHost {
  /** The script's `args` as JSON; undefined when the run has none (the script sees undefined). */
  args: string | undefined;
  agent(prompt: string, optionsJson: string): Promise<string>;
  /** `argsJson` is '' when the script passed no args. */
  workflow(name: string, argsJson: string): Promise<string>;
  phase(title: string): void;
  log(message: string): void;
  warn(message: string): void;
  budgetTotal(): number | null;
  budgetSpent(): number;
}

export interface SandboxLimits {
  memoryBytes: number;
  /** QuickJS execution time for the whole script, not counting time spent awaiting the host. */
  cpuMs: number;
  stackBytes: number;
}

export const DEFAULT_SANDBOX_LIMITS: SandboxLimits = {
  memoryBytes: 64 * 1024 * 1024,
  cpuMs: 10_000,
  // 512 KB overflowed the wasm stack itself (a host RangeError) before QuickJS's check; 256 KB is caught.
  stackBytes: 256 * 1024,
};

export const SCRIPT_FILE_NAME = 'workflow.js';

interface ScriptErrorDump {
  name?: string;
  message: string;
  stack?: string;
}

function isErrorDump(value: unknown): value is ScriptErrorDump {
  return typeof value === 'object' && value !== null && typeof (value as ScriptErrorDump).message === 'string';
}

/**
 * Runs `program` in a new runtime of `quickjs`. The module's wasm memory has a hard maximum (see
 * quickjs-module.ts): the runtime's own memory limit is kept, but it is the wasm bound that holds.
 */
export async function runInSandbox(
  quickjs: BoundedQuickJS,
  program: string,
  host: SandboxHost,
  limits: SandboxLimits,
  signal: AbortSignal,
): Promise<unknown> {
  const session = new SandboxSession(quickjs, host, limits);
  try {
    return await session.run(program, signal);
  } finally {
    session.dispose();
  }
}

class SandboxSession {
  private readonly runtime: QuickJSRuntime;
  private readonly vm: QuickJSContext;
  private readonly pending = new Set<QuickJSDeferredPromise>();
  private cpuUsedMs = 0;
  private sliceStart = 0;
  private inSlice = false;
  private cpuExceeded = false;
  /** Set once the run has failed: nothing more may execute in this VM, only disposal. */
  private halted = false;
  private disposed = false;
  private failRun: (error: WorkflowError) => void = () => {};
  private readonly failed: Promise<never>;
  private mainResult?: { ok: boolean; handle: QuickJSHandle };

  constructor(
    private readonly quickjs: BoundedQuickJS,
    private readonly host: SandboxHost,
    private readonly limits: SandboxLimits,
  ) {
    this.failed = new Promise<never>((_, reject) => {
      this.failRun = reject;
    });
    this.failed.catch(() => {});
    this.runtime = quickjs.module.newRuntime();
    quickjs.liveRuntimes++;
    this.runtime.setMemoryLimit(limits.memoryBytes);
    this.runtime.setMaxStackSize(limits.stackBytes);
    this.runtime.setInterruptHandler(() => {
      if (!this.inSlice) return false;
      if (this.cpuUsedMs + (performance.now() - this.sliceStart) <= this.limits.cpuMs) return false;
      this.cpuExceeded = true;
      return true;
    });
    this.vm = this.runtime.newContext();
  }

  async run(program: string, signal: AbortSignal): Promise<unknown> {
    const aborted = new Promise<never>((_, reject) => {
      const onAbort = () => reject(signal.reason);
      if (signal.aborted) onAbort();
      signal.addEventListener('abort', onAbort, { once: true });
    });
    aborted.catch(() => {});
    this.installApi();
    const promise = this.slice(() => this.vm.evalCode(program, SCRIPT_FILE_NAME, { type: 'global' }));
    if (promise.error) throw this.errorFrom(promise.error);
    if (this.cpuExceeded) {
      promise.value.dispose();
      throw this.cpuError();
    }
    let settled: Promise<void>;
    try {
      settled = this.watchMain(promise.value);
    } finally {
      promise.value.dispose();
    }
    this.pump();
    await Promise.race([settled, this.failed, aborted]);
    this.halted = true;
    const result = this.mainResult!;
    if (!result.ok) throw this.errorFrom(result.handle);
    if (this.cpuExceeded) throw this.cpuError();
    return this.vm.dump(result.handle) as unknown;
  }

  /**
   * Resolves when the script's promise settles, keeping the settled value in `mainResult` so
   * dispose() can release it whichever way the run ended (resolvePromise would hand a handle to a
   * native promise nobody reads after a stop, and that leak aborts JS_FreeRuntime).
   */
  private watchMain(promise: QuickJSHandle): Promise<void> {
    let resolve!: () => void;
    const settled = new Promise<void>((done) => {
      resolve = done;
    });
    const settle = (ok: boolean) => (value: QuickJSHandle | undefined) => {
      this.mainResult = { ok, handle: (value ?? this.vm.undefined).dup() };
      resolve();
      return this.vm.undefined;
    };
    // Outside the Promise executor, so a failure throws here instead of becoming a rejection,
    // and every handle is released whichever call fails.
    const handles: QuickJSHandle[] = [];
    try {
      const onValue = this.vm.newFunction('onValue', settle(true));
      handles.push(onValue);
      const onError = this.vm.newFunction('onError', settle(false));
      handles.push(onError);
      const then = this.vm.getProp(promise, 'then');
      handles.push(then);
      this.unwrap(this.vm.callFunction(then, promise, onValue, onError)).dispose();
    } finally {
      for (const handle of handles) handle.dispose();
    }
    return settled;
  }

  /** The value of a host-side call into QuickJS, or its failure as a WorkflowError (error handle released). */
  private unwrap(result: DisposableResult<QuickJSHandle, QuickJSHandle>): QuickJSHandle {
    if (result.error) throw this.errorFrom(result.error);
    return result.value;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    if (this.mainResult?.handle.alive) this.mainResult.handle.dispose();
    for (const deferred of this.pending) deferred.dispose();
    this.pending.clear();
    try {
      this.vm.dispose();
      this.runtime.dispose();
      this.quickjs.liveRuntimes--;
    } catch (error) {
      // A leaked object makes JS_FreeRuntime assert; the run's outcome is already decided, but
      // the module is not trusted for another run.
      this.quickjs.tainted = true;
      console.error('workflow sandbox: QuickJS runtime did not free cleanly', error);
    }
  }

  /** Runs QuickJS code, counting its time against the CPU deadline. */
  private slice<T>(run: () => T): T {
    this.sliceStart = performance.now();
    this.inSlice = true;
    try {
      return run();
    } finally {
      this.inSlice = false;
      this.cpuUsedMs += performance.now() - this.sliceStart;
    }
  }

  /** After the host settles a promise: run the script's continuations. */
  private pump(): void {
    if (this.disposed || this.halted) return;
    const jobs = this.slice(() => this.runtime.executePendingJobs());
    if (jobs.error) this.halt(this.errorFrom(jobs.error));
    else if (this.cpuExceeded) this.halt(this.cpuError());
  }

  private halt(error: WorkflowError): void {
    this.halted = true;
    this.failRun(error);
  }

  /**
   * The error a failed evaluation stands for. After a CPU interrupt nothing may run in the VM
   * again, not even a dump (its JSON.stringify is interrupted too, and leaks objects that then
   * abort JS_FreeRuntime), so the handle is only released.
   */
  private errorFrom(handle: QuickJSHandle): WorkflowError {
    if (this.cpuExceeded) {
      handle.dispose();
      return this.cpuError();
    }
    let dump: unknown;
    try {
      dump = this.dumpAndDispose(handle);
    } catch (error) {
      // With the wasm memory full, even reading the error out can fail.
      if (this.quickjs.memoryExhausted()) return this.memoryError();
      throw error;
    }
    return this.toWorkflowError(dump);
  }

  private memoryError(): WorkflowError {
    return new WorkflowError(
      'MEMORY_LIMIT',
      `The script ran out of memory (limit ${Math.round(this.limits.memoryBytes / 1024 / 1024)} MB) and was stopped.`,
    );
  }

  private cpuError(): WorkflowError {
    return new WorkflowError(
      'CPU_LIMIT',
      `The script used more than ${this.limits.cpuMs} ms of CPU (an endless loop?) and was stopped.`,
    );
  }

  private toWorkflowError(dump: unknown): WorkflowError {
    if (this.cpuExceeded) return this.cpuError();
    // The wasm memory refused to grow: whatever the script threw after that (QuickJS's "out of
    // memory", null when it could not even allocate that error, a garbled dump) comes from it.
    if (this.quickjs.memoryExhausted()) return this.memoryError();
    // QuickJS's own limit (a single allocation over it) throws "out of memory" with memory to spare.
    if (dump === null || (isErrorDump(dump) && dump.name === 'InternalError' && dump.message === 'out of memory')) {
      return this.memoryError();
    }
    if (!isErrorDump(dump))
      return new WorkflowError('SCRIPT_ERROR', `The script threw ${JSON.stringify(dump) ?? String(dump)}`);
    const line = /workflow\.js:(\d+)/.exec(dump.stack ?? '')?.[1];
    const name = dump.name ?? 'Error';
    return new WorkflowError('SCRIPT_ERROR', `${name}: ${dump.message ?? ''}${line ? ` (line ${line})` : ''}`);
  }

  private dumpAndDispose(handle: QuickJSHandle): unknown {
    try {
      return this.vm.dump(handle) as unknown;
    } finally {
      handle.dispose();
    }
  }

  /**
   * Evaluates the prelude and hands it the host functions. Exception-safe: a failure here (out of
   * memory) must not leave `hostObject` or `install` alive, or JS_FreeRuntime aborts. The prelude is
   * the engine's setup, not the script, so it runs outside the CPU slice: counted, a loaded machine
   * could push a small `cpuMs` over its deadline before the script even started (the deadline is
   * measured in wall time within a slice), and the interrupted prelude used to leak `hostObject`.
   */
  private installApi(): void {
    const hostObject = this.vm.newObject();
    try {
      this.defineHostObject(hostObject);
      const install = this.unwrap(this.vm.evalCode(PRELUDE, 'prelude.js', { type: 'global' }));
      try {
        this.unwrap(this.vm.callFunction(install, this.vm.undefined, hostObject)).dispose();
      } finally {
        install.dispose();
      }
    } finally {
      hostObject.dispose();
    }
  }

  private defineHostObject(hostObject: QuickJSHandle): void {
    this.defineFunction(hostObject, 'budgetTotal', () => {
      const total = this.host.budgetTotal();
      return total === null ? this.vm.null : this.vm.newNumber(total);
    });
    this.defineFunction(hostObject, 'budgetSpent', () => this.vm.newNumber(this.host.budgetSpent()));
    this.defineFunction(hostObject, 'phase', (title) => {
      this.host.phase(this.vm.getString(title!));
      return this.vm.undefined;
    });
    this.defineFunction(hostObject, 'log', (message) => {
      this.host.log(this.vm.getString(message!));
      return this.vm.undefined;
    });
    this.defineFunction(hostObject, 'warn', (message) => {
      this.host.warn(this.vm.getString(message!));
      return this.vm.undefined;
    });
    this.defineAsync(hostObject, 'agent', (prompt, options) => this.host.agent(prompt, options));
    this.defineAsync(hostObject, 'workflow', (name, args) => this.host.workflow(name, args));
    // host.args is read once by the prelude as a string; expose it as a value, not a function.
    if (this.host.args !== undefined) {
      const argsValue = this.vm.newString(this.host.args);
      try {
        this.vm.setProp(hostObject, 'args', argsValue);
      } finally {
        argsValue.dispose();
      }
    }
  }

  private defineFunction(target: QuickJSHandle, name: string, fn: (...args: QuickJSHandle[]) => QuickJSHandle): void {
    const handle = this.vm.newFunction(name, fn);
    try {
      this.vm.setProp(target, name, handle);
    } finally {
      handle.dispose();
    }
  }

  /** A host async function: returns a QuickJS promise settled from a host promise. */
  private defineAsync(target: QuickJSHandle, name: string, fn: (a: string, b: string) => Promise<string>): void {
    this.defineFunction(target, name, (a, b) => {
      const deferred = this.vm.newPromise();
      this.pending.add(deferred);
      fn(this.vm.getString(a!), this.vm.getString(b!)).then(
        (json) => this.settle(deferred, { json }),
        (error: unknown) => this.settle(deferred, { error }),
      );
      return deferred.handle;
    });
  }

  private settle(deferred: QuickJSDeferredPromise, outcome: { json: string } | { error: unknown }): void {
    if (this.disposed || this.halted) return;
    this.pending.delete(deferred);
    let value: QuickJSHandle | undefined;
    try {
      if ('json' in outcome) {
        value = this.vm.newString(outcome.json);
        deferred.resolve(value);
      } else {
        const error = outcome.error instanceof Error ? outcome.error : new Error(String(outcome.error));
        value = this.vm.newError({
          name: error.name === 'WorkflowError' ? 'Error' : error.name,
          message: error.message,
        });
        deferred.reject(value);
      }
    } catch (error) {
      // Allocating the result inside QuickJS can itself hit the memory limit.
      this.halt(this.toWorkflowError({ name: 'InternalError', message: String((error as Error).message) }));
    } finally {
      if (value?.alive) value.dispose();
      deferred.dispose();
    }
    this.pump();
  }
}
