/**
 * Float32 storage inside one shared WebAssembly memory, so the SIMD kernels update weights and
 * state where they are, with no copies (only gradients, which TF.js owns, are copied in chunks).
 * Used for what optimizers allocate: their state and, on the cpu backend, the weights' storage.
 *
 * Shared memory never detaches its buffers when it grows, so views handed out stay valid. A
 * block returns to the free list when its view is garbage-collected.
 */
import { READ_ONLY_KERNELS, SIMD_BLOCK, simdPointerModuleBytes } from './kernels';

const MAXIMUM_PAGES = 65536; // 4 GiB, wasm32's limit
const PAGE = 65536;
const ALIGN = 16;
/**
 * Values per scratch chunk (256 KiB): the weights' and the gradient's chunks stay in L2 cache, and
 * there are few enough chunks that creating a view per copy costs nothing (8,192 measured ~30% slower).
 */
const SCRATCH = 65536;

/** The arena: allocation, and the kernels on addresses in it. */
export interface SimdArena {
  alloc(length: number): Float32Array;
  /** Byte address of `view` if it lives in the arena. */
  addressOf(view: Float32Array): number | undefined;
  exports: Record<string, (...args: number[]) => void>;
  /** Scratch for one chunk of gradient values and one of weights, and the kernels' sums. */
  scratch: Float32Array;
  paramScratch: Float32Array;
  sums: Float32Array;
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
  const moduleBytes = simdPointerModuleBytes(MAXIMUM_PAGES);
  const instance = new wasm.Instance(new wasm.Module(moduleBytes), { env: { memory } });
  const buffers = new WeakSet<ArrayBufferLike>([memory.buffer]);
  const free: Block[] = [];
  let top = 0;
  const registry = new FinalizationRegistry<Block>((block) => release(block));

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
    registry.register(view, { offset, size });
    return view;
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
    addressOf: (view) => (buffers.has(view.buffer) ? view.byteOffset : undefined),
    exports: instance.exports as Record<string, (...args: number[]) => void>,
    scratch,
    paramScratch,
    sums,
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

/**
 * Runs the pointer kernel `call` over `[start, stop)` (stop = start + a multiple of SIMD_BLOCK ≤
 * end) when every slot lives in the arena; returns `stop`, or `start` when one does not (nothing
 * done). Slots are updated in place. Weights and gradients outside the arena (the wasm backend's
 * heap, host copies) go through scratch chunks, the weights copied back after each chunk. Adds
 * the kernel's sums to `out` (as many as `out` holds, at most three): an update's Σ Δw² and Σ w²,
 * a measure's Σ g², Σ w² and Σ (g + λw)².
 */
export function runInArena(
  arena: SimdArena,
  call: { fn: string; args: number[] },
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  out: Float64Array
): number {
  const slotAddresses = slots.map((slot) => arena.addressOf(slot));
  if (slotAddresses.some((a) => a === undefined)) return start;
  const stop = end - ((end - start) % SIMD_BLOCK);
  const fn = arena.exports[call.fn];
  const { scratch, paramScratch, sums } = arena;
  const sumsAddress = arena.addressOf(sums) as number;
  const gradAddress = arena.addressOf(grad);
  const paramAddress = arena.addressOf(param);
  const chunk = gradAddress === undefined || paramAddress === undefined ? scratch.length : stop - start;
  const slot = (k: number, c: number) => (k < slots.length ? (slotAddresses[k] as number) + c * 4 : 0);
  const outputs = Math.min(out.length, 3);
  const readOnly = READ_ONLY_KERNELS[call.fn];
  const stagesParam = paramAddress === undefined && readOnly?.readsParam !== false;
  for (let c = start; c < stop; c += chunk) {
    const len = Math.min(chunk, stop - c);
    let g = gradAddress === undefined ? 0 : gradAddress + c * 4;
    if (gradAddress === undefined) {
      scratch.set(grad.subarray(c, c + len));
      g = arena.addressOf(scratch) as number;
    }
    let w = paramAddress === undefined ? 0 : paramAddress + c * 4;
    if (stagesParam) {
      paramScratch.set(param.subarray(c, c + len));
      w = arena.addressOf(paramScratch) as number;
    }
    fn(len, w, g, slot(0, c), slot(1, c), slot(2, c), sumsAddress, ...call.args);
    if (stagesParam && !readOnly) param.set(paramScratch.subarray(0, len), c);
    for (let k = 0; k < outputs; k++) out[k] += sums[4 * k] + sums[4 * k + 1] + sums[4 * k + 2] + sums[4 * k + 3];
  }
  return stop;
}
