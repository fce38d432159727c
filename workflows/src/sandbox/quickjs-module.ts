// Loads the QuickJS wasm lazily (nothing is fetched until the first workflow runs) into
// WebAssembly memories with a hard maximum: one module per run at a time, so a run's script can
// never take more than its own bound from the host.
//
// Why not runtime.setMemoryLimit alone: in quickjs-emscripten 0.32 (QuickJS and quickjs-ng alike)
// the allocator's usable-size hook returns 0 under Emscripten, so the runtime counts about 8 bytes
// per allocation whatever its size. A script holding 1 MB strings or typed arrays grew the wasm
// memory to its 2 GB cap against a "64 MB" limit. A WebAssembly.Memory created with `maximum`
// cannot grow past it: malloc returns NULL and QuickJS throws "out of memory", whatever allocates.
//
// The sync build only: the asyncify build crashes on dispose and on a second concurrent await
// (quickjs-emscripten #261, #258; see shared/FINDINGS.md).
import { newQuickJSWASMModuleFromVariant, newVariant, type QuickJSWASMModule } from 'quickjs-emscripten-core';

const PAGE_BYTES = 64 * 1024;
/** Emscripten's INITIAL_MEMORY for this build: static data, the C stack and the first heap. */
const BASE_BYTES = 16 * 1024 * 1024;
/** A module that grew past this during its run is dropped, not kept idle, so its memory goes back. */
const KEEP_IDLE_BELOW_BYTES = 2 * BASE_BYTES;

/** One QuickJS wasm instance whose memory cannot grow past `maxBytes`. */
export interface BoundedQuickJS {
  readonly module: QuickJSWASMModule;
  /** The script's memory limit this module was made for. */
  readonly limitBytes: number;
  /** The wasm memory's hard maximum (the limit plus the module's own base). */
  readonly maxBytes: number;
  /** True when the module's last attempt to grow its memory was refused: the run hit its bound. */
  memoryExhausted(): boolean;
  /** The wasm memory's size now (it only grows). */
  memoryBytes(): number;
  /** Set when a runtime in it did not free cleanly: the module is not reused. */
  tainted: boolean;
  /** Runtimes alive in it now (an inline workflow may outlive its failed parent for a moment). */
  liveRuntimes: number;
}

/** The wasm memory a module is given for a script limit of `limitBytes`. */
export function wasmMaximumBytes(limitBytes: number): number {
  return Math.ceil((BASE_BYTES + limitBytes) / PAGE_BYTES) * PAGE_BYTES;
}

/**
 * Hands out bounded modules. A run takes one for itself and its inline workflows and gives it back
 * when it ends; a module that ran out of memory (or failed to tear down cleanly) or grew large is
 * dropped, a clean one is kept for the next run (instantiating costs a wasm compile, ~10-30 ms here).
 */
export class QuickJSModules {
  private readonly idle: BoundedQuickJS[] = [];
  private readonly maxIdle = 1;
  /** Modules instantiated so far (for tests and figures). */
  instantiated = 0;

  async acquire(limitBytes: number): Promise<BoundedQuickJS> {
    const index = this.idle.findIndex((m) => m.limitBytes === limitBytes);
    if (index >= 0) return this.idle.splice(index, 1)[0]!;
    const bounded = await instantiateBounded(limitBytes);
    this.instantiated++;
    return bounded;
  }

  release(bounded: BoundedQuickJS): void {
    const reusable =
      !bounded.tainted &&
      bounded.liveRuntimes === 0 &&
      !bounded.memoryExhausted() &&
      bounded.memoryBytes() <= KEEP_IDLE_BELOW_BYTES;
    if (reusable && this.idle.length < this.maxIdle) this.idle.push(bounded);
  }
}

async function instantiateBounded(limitBytes: number): Promise<BoundedQuickJS> {
  if (!Number.isFinite(limitBytes) || limitBytes <= 0) throw new RangeError(`memory limit ${limitBytes} is not > 0`);
  const maxBytes = wasmMaximumBytes(limitBytes);
  const memory = new WebAssembly.Memory({ initial: BASE_BYTES / PAGE_BYTES, maximum: maxBytes / PAGE_BYTES });
  // Emscripten's heap resize tries a few sizes, largest first, and returns at the first that
  // grows; the last attempt's outcome is the resize's outcome.
  let lastGrowRefused = false;
  const grow = memory.grow.bind(memory);
  memory.grow = (delta: number) => {
    try {
      const previous = grow(delta);
      lastGrowRefused = false;
      return previous;
    } catch (error) {
      lastGrowRefused = true;
      throw error;
    }
  };
  const base = await import('@jitl/quickjs-wasmfile-release-sync');
  const module = await newQuickJSWASMModuleFromVariant(newVariant(base.default, { wasmMemory: memory }));
  return {
    module,
    limitBytes,
    maxBytes,
    memoryExhausted: () => lastGrowRefused,
    memoryBytes: () => memory.buffer.byteLength,
    tainted: false,
    liveRuntimes: 0,
  };
}

let modules: QuickJSModules | undefined;

/** The process's (or worker's) pool of bounded QuickJS modules. Loads nothing until a run acquires one. */
export async function loadQuickJS(): Promise<QuickJSModules> {
  modules ??= new QuickJSModules();
  return modules;
}
