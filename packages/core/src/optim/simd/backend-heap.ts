/**
 * The SIMD loops on the wasm backend's own heap. Weights and gradients live there, and so does the
 * optimizers' state on that backend (see `Optimizer`), so the loops update everything in place
 * with no copy. The heap is not shared memory: only the calling thread runs these loops. It grows,
 * which detaches earlier views: a step takes its views after its last allocation.
 */
import { wasmBackendHeap, type WasmBackendHeap, type WasmHeapMemory } from '../../tfjs-internals/wasm-backend';
import type { ArenaKernels, WasmApi } from './dispatch';
import { READ_ONLY_KERNELS, SIMD_BLOCK, simdPointerModuleBytes } from './kernels';

const kernelsByMemory = new WeakMap<WasmHeapMemory, ArenaKernels | null>();

function instantiate(heap: WasmBackendHeap): ArenaKernels | null {
  const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
  const bytes = simdPointerModuleBytes({ shared: false });
  if (!wasm || !wasm.validate(bytes)) return null;
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory: heap.memory } });
  const sumsAddress = heap.malloc(16 * Float32Array.BYTES_PER_ELEMENT);
  let sums = new Float32Array(heap.memory.buffer, sumsAddress, 16);
  const { memory } = heap;
  return {
    exports: instance.exports as ArenaKernels['exports'],
    addressOf: (view) => (view.buffer === memory.buffer ? view.byteOffset : undefined),
    // Read at each loop: a view made before the heap grew is detached.
    get sums() {
      if (sums.buffer !== memory.buffer) sums = new Float32Array(memory.buffer, sumsAddress, 16);
      return sums;
    },
    block: SIMD_BLOCK,
    readOnly: READ_ONLY_KERNELS
  };
}

/**
 * The loops on byte addresses in the active wasm backend's heap, or null when the backend is not
 * wasm or WebAssembly SIMD is unavailable.
 */
export function backendHeapKernels(): ArenaKernels | null {
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
