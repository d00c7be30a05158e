/**
 * The SIMD loops on the wasm backend's own heap. Weights and gradients live there, and so does the
 * optimizers' state on that backend (see `Optimizer`), so the loops update everything in place
 * with no copy. The single-threaded builds' heap is not shared memory: only the calling thread runs
 * the loops there, and a heap that grows detaches earlier views (a step takes its views after its
 * last allocation). The threaded build's heap is shared (`useThreadedWasmBackend`): worker threads
 * instantiate the same loops on it.
 */
import { wasmBackendHeap, type WasmBackendHeap, type WasmHeapMemory } from '../../tfjs-internals/wasm-backend';
import type { ArenaKernels, WasmApi } from './dispatch';
import { READ_ONLY_KERNELS, SIMD_BLOCK, simdPointerModuleBytes } from './kernels';

/** wasm32's 4 GiB in pages: the threaded build's shared memory declares this maximum. */
const MAXIMUM_PAGES = 65536;

/** The loops on the heap, and what worker threads need to run them there too. */
export interface BackendHeapKernels extends ArenaKernels {
  /** Whether the heap is shared memory (the threaded build): worker threads can use it. */
  shared: boolean;
  memory: WasmHeapMemory;
  /** The pointer module's bytes, for worker threads to instantiate on {@link memory}. */
  moduleBytes: Uint8Array;
  /** Byte address of `bytes` new bytes in the heap, never freed (a worker's block for its sums). */
  malloc(bytes: number): number;
}

const kernelsByMemory = new WeakMap<WasmHeapMemory, BackendHeapKernels | null>();

function instantiate(heap: WasmBackendHeap): BackendHeapKernels | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const { memory } = heap;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  const moduleBytes = simdPointerModuleBytes(shared ? { shared, maximumPages: MAXIMUM_PAGES } : { shared });
  if (!wasm || !wasm.validate(moduleBytes)) return null;
  const instance = new wasm.Instance(new wasm.Module(moduleBytes), { env: { memory } });
  const sumsAddress = heap.malloc(16 * Float32Array.BYTES_PER_ELEMENT);
  let sums = new Float32Array(memory.buffer, sumsAddress, 16);
  return {
    exports: instance.exports as ArenaKernels['exports'],
    // A step's views are made after its last allocation, on the memory's current buffer.
    addressOf: (view) => (view.buffer === memory.buffer ? view.byteOffset : undefined),
    // Read at each loop: a view made before the heap grew is detached (single-threaded builds).
    get sums() {
      if (sums.buffer !== memory.buffer) sums = new Float32Array(memory.buffer, sumsAddress, 16);
      return sums;
    },
    block: SIMD_BLOCK,
    readOnly: READ_ONLY_KERNELS,
    shared,
    memory,
    moduleBytes,
    malloc: heap.malloc
  };
}

/**
 * The loops on byte addresses in the active wasm backend's heap, or null when the backend is not
 * wasm or WebAssembly SIMD is unavailable.
 */
export function backendHeapKernels(): BackendHeapKernels | null {
  const heap = wasmBackendHeap();
  if (heap === undefined) return null;
  let kernels = kernelsByMemory.get(heap.memory);
  if (kernels === undefined) {
    try {
      kernels = instantiate(heap);
    } catch {
      kernels = null;
    }
    kernelsByMemory.set(heap.memory, kernels);
  }
  return kernels;
}
