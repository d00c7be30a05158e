/**
 * Float32 storage inside one shared WebAssembly memory, so the SIMD kernels update weights and
 * state where they are, with no copies (only gradients, which TF.js owns, are copied in once per
 * step, see `gradient-staging.ts`). Used for what optimizers allocate: their state (except on the
 * wasm backend, where it lives in the backend's heap), the cpu backend's weights' storage and
 * tfjs-node's host copies of the weights.
 *
 * Shared memory never detaches its buffers when it grows, so views handed out stay valid. A
 * block returns to the free list when its view is garbage-collected.
 */
import type { ArenaKernels } from './dispatch';
import { READ_ONLY_KERNELS, SIMD_BLOCK, simdPointerModuleBytes } from './kernels';

export { runInArena } from './dispatch';

const MAXIMUM_PAGES = 65536; // 4 GiB, wasm32's limit
const PAGE = 65536;
const ALIGN = 16;
/**
 * Values per scratch chunk (256 KiB): the weights' and the gradient's chunks stay in L2 cache, and
 * there are few enough chunks that creating a view per copy costs nothing (8,192 measured ~30% slower).
 */
const SCRATCH = 65536;

/** The arena: allocation, and the kernels on addresses in it. */
export interface SimdArena extends ArenaKernels {
  alloc(length: number): Float32Array;
  /** Returns the block of `view` (from {@link alloc}) now: `view` must not be used after. */
  free(view: Float32Array): void;
  /** Scratch for one chunk of gradient values and one of weights. */
  scratch: Float32Array;
  paramScratch: Float32Array;
  /** The memory and the module's bytes, for worker threads to instantiate the kernels on it. */
  memory: object;
  moduleBytes: Uint8Array;
}

interface Block {
  offset: number;
  size: number;
}

interface WasmMemory {
  buffer: ArrayBufferLike;
  grow(pages: number): number;
}
interface WasmApi {
  Memory: new (descriptor: { initial: number; maximum: number; shared: boolean }) => WasmMemory;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

function createArena(): SimdArena {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  if (!wasm || typeof SharedArrayBuffer === 'undefined') throw new Error('no shared WebAssembly memory here');
  const memory = new wasm.Memory({ initial: 1, maximum: MAXIMUM_PAGES, shared: true });
  const moduleBytes = simdPointerModuleBytes({ shared: true, maximumPages: MAXIMUM_PAGES });
  const instance = new wasm.Instance(new wasm.Module(moduleBytes), { env: { memory } });
  const buffers = new WeakSet<ArrayBufferLike>([memory.buffer]);
  const free: Block[] = [];
  let top = 0;
  const registry = new FinalizationRegistry<Block>((block) => release(block));
  const blocks = new WeakMap<Float32Array, Block>();

  function release(block: Block): void {
    free.push(block);
    free.sort((a, b) => a.offset - b.offset);
    for (let i = free.length - 1; i > 0; i--) {
      if (free[i - 1].offset + free[i - 1].size === free[i].offset) {
        free[i - 1].size += free[i].size;
        free.splice(i, 1);
      }
    }
  }

  function reserve(size: number): number {
    const fit = free.findIndex((block) => block.size >= size);
    if (fit >= 0) {
      const block = free[fit];
      const offset = block.offset;
      block.offset += size;
      block.size -= size;
      if (block.size === 0) free.splice(fit, 1);
      return offset;
    }
    const offset = top;
    const needed = offset + size - memory.buffer.byteLength;
    if (needed > 0) {
      memory.grow(Math.ceil(needed / PAGE));
      buffers.add(memory.buffer);
    }
    top += size;
    return offset;
  }

  function alloc(length: number): Float32Array {
    const size = Math.max(ALIGN, Math.ceil((length * 4) / ALIGN) * ALIGN);
    const offset = reserve(size);
    const view = new Float32Array(memory.buffer, offset, length);
    view.fill(0);
    const block = { offset, size };
    blocks.set(view, block);
    registry.register(view, block, view);
    return view;
  }
  function freeView(view: Float32Array): void {
    // A view held here is alive, so its finalizer has not run: unregistering it always works.
    const block = blocks.get(view);
    if (block === undefined) return;
    registry.unregister(view);
    blocks.delete(view);
    release(block);
  }

  // Kept for the arena's lifetime (the process): never registered for release. Each view is made
  // after its reservation, which may grow the memory (and replace memory.buffer).
  const permanent = (length: number) => {
    const offset = reserve(Math.max(ALIGN, length * 4));
    return new Float32Array(memory.buffer, offset, length);
  };
  const scratch = permanent(SCRATCH);
  const paramScratch = permanent(SCRATCH);
  const sums = permanent(16);
  return {
    alloc,
    free: freeView,
    addressOf: (view) => (buffers.has(view.buffer) ? view.byteOffset : undefined),
    exports: instance.exports as Record<string, (...args: number[]) => void>,
    scratch,
    paramScratch,
    sums,
    block: SIMD_BLOCK,
    readOnly: READ_ONLY_KERNELS,
    memory,
    moduleBytes
  };
}

let arena: SimdArena | null | undefined;

/**
 * A float32 array in the arena when it has room (4 GiB in all), else `fallback(length)`: running
 * out of arena space slows a step down but never fails it.
 */
export function allocateInArena(length: number, fallback: (length: number) => Float32Array): Float32Array {
  const arena = simdArena();
  if (arena) {
    try {
      return arena.alloc(length);
    } catch {
      // memory.grow failed: the arena is full.
    }
  }
  return fallback(length);
}

/**
 * Gives `view`'s arena block back at once, where it came from {@link allocateInArena}'s arena
 * (otherwise its block returns only when the view is garbage-collected, and a program that makes
 * and drops optimizers fills the arena's 4 GiB first: then every new buffer falls back to slower
 * memory). `view` must not be used after.
 */
export function freeInArena(view: Float32Array): void {
  arena?.free(view);
}

/** The process's arena, or null where shared WebAssembly memory is unavailable. */
export function simdArena(): SimdArena | null {
  if (arena === undefined) {
    try {
      arena = createArena();
    } catch {
      arena = null;
    }
  }
  return arena;
}
