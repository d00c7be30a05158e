/**
 * Seam onto the wasm backend's storage (`@tensorflow/tfjs-backend-wasm`, private): `dataIdMap`
 * (data id → `{ id, memoryOffset }` in the WebAssembly heap), `dataIdNextNumber`, the heap
 * (`wasm.HEAPU8`), its `WebAssembly.Memory` (`wasm.asm.memory`, or `wasm.wasmMemory` in the threaded
 * build, whose memory is imported and shared), `wasm._malloc` and the C++
 * registry's `wasm.tfjs.registerTensor`/`disposeData`. The optimizers update variables and their
 * state in place in the heap through it. Nothing else in the package reaches these.
 */
import * as tf from '@tensorflow/tfjs';
import { WRITTEN_FOR, hasMapLike, hasMethod, internalsMessage, warnFallback, type SeamInfo } from './seam';

export const WASM_BACKEND_SEAM: SeamInfo = {
  module: 'tfjs-internals/wasm-backend',
  dependency: '@tensorflow/tfjs-backend-wasm',
  writtenFor: WRITTEN_FOR.tfjs
};

/** The parts of a `WebAssembly.Memory` used here (core compiles without DOM typings). */
export interface WasmHeapMemory {
  readonly buffer: ArrayBufferLike;
}

/** The part of `BackendWasm` used here. */
interface WasmStorage {
  dataIdMap: { has(id: object): boolean; get(id: object): { id: number; memoryOffset: number | null } | undefined };
  dataIdNextNumber: number;
  wasm: {
    HEAPU8: Uint8Array;
    /** The single-threaded builds export their memory. */
    asm: { memory?: WasmHeapMemory };
    /** The threaded build imports it (shared memory). */
    wasmMemory?: WasmHeapMemory;
    _malloc(bytes: number): number;
    tfjs: { registerTensor(id: number, size: number, memoryOffset: number): void; disposeData(id: number): void };
  };
}

/**
 * The wasm backend's version is not visible through `@tensorflow/tfjs` (it is a separate
 * package); it is released with tfjs-core, whose version is named instead.
 */
function installedWasmVersion(): string {
  return `(released with tfjs-core ${tf.version_core})`;
}

const checked = new WeakMap<object, string | null>();

/** Why `backend` does not have the storage this seam expects, or null when it does. */
export function wasmBackendProblem(backend: unknown): string | null {
  const storage = backend as Partial<WasmStorage> | null;
  if (!hasMapLike(backend, 'dataIdMap')) return 'the backend has no `dataIdMap` (data id → { id, memoryOffset })';
  if (typeof storage?.dataIdNextNumber !== 'number') return 'the backend has no numeric `dataIdNextNumber`';
  if (!(storage.wasm?.HEAPU8 instanceof Uint8Array)) return 'the backend has no heap `wasm.HEAPU8`';
  if (!hasMethod(storage.wasm.tfjs, 'registerTensor') || !hasMethod(storage.wasm.tfjs, 'disposeData')) {
    return 'the backend has no `wasm.tfjs.registerTensor`/`disposeData`';
  }
  if (!isHeapMemory(heapMemory(storage as WasmStorage), storage.wasm.HEAPU8)) {
    return 'the backend has no `wasm.asm.memory` or `wasm.wasmMemory` (the WebAssembly.Memory behind HEAPU8)';
  }
  if (!hasMethod(storage.wasm, '_malloc')) return 'the backend has no `wasm._malloc`';
  return null;
}

/** The full message when the wasm backend changed, or null (for tests). */
export function describeWasmBackendProblem(backend: unknown, installed = installedWasmVersion()): string | null {
  const problem = wasmBackendProblem(backend);
  return problem === null ? null : internalsMessage(WASM_BACKEND_SEAM, problem, installed);
}

/** The memory behind the heap: exported by the single-threaded builds, imported by the threaded one. */
function heapMemory(storage: WasmStorage): WasmHeapMemory | undefined {
  return storage.wasm.asm?.memory ?? storage.wasm.wasmMemory;
}

/**
 * Whether `memory` is the memory behind `heap`. A shared memory hands out a new buffer object each
 * time it has grown, so the threaded build's HEAPU8 may hold an earlier (shorter) one.
 */
function isHeapMemory(memory: WasmHeapMemory | undefined, heap: Uint8Array): boolean {
  if (memory === undefined) return false;
  const { buffer } = memory;
  if (buffer === heap.buffer) return true;
  const shared = typeof SharedArrayBuffer !== 'undefined' && buffer instanceof SharedArrayBuffer;
  return shared && heap.buffer instanceof SharedArrayBuffer && heap.buffer.byteLength <= buffer.byteLength;
}

function activeStorage(): WasmStorage | undefined {
  if (tf.getBackend() !== 'wasm') return undefined;
  const backend = tf.backend() as unknown as object;
  let problem = checked.get(backend);
  if (problem === undefined) {
    problem = wasmBackendProblem(backend);
    checked.set(backend, problem);
    if (problem !== null) {
      const fallback = 'optimizers read, update and assign weights back';
      warnFallback(WASM_BACKEND_SEAM, problem, installedWasmVersion(), fallback);
    }
  }
  return problem === null ? (backend as WasmStorage) : undefined;
}

/**
 * A float32 view of `tensor` in the wasm heap (writing to it changes the tensor), or undefined when
 * the active backend is not wasm, the tensor is not float32 or has no memory of its own. Build a
 * new view after anything that may grow the heap: an old one then sees a detached buffer.
 */
export function wasmHeapView(tensor: tf.Tensor): Float32Array | undefined {
  if (tensor.dtype !== 'float32') return undefined;
  const storage = activeStorage();
  const offset = storage?.dataIdMap.get(tensor.dataId as object)?.memoryOffset;
  if (storage === undefined || offset == null) return undefined;
  // The memory's buffer, not HEAPU8's: a shared heap grown by another thread has a longer buffer
  // before Emscripten renews its views.
  return new Float32Array((heapMemory(storage) as WasmHeapMemory).buffer, offset, tensor.size);
}

/**
 * Gives `tensor` a new number in the C++ registry for the same memory. The backend caches weights
 * packed for XNNPACK (matMul, conv2d) under the old number and drops that cache when the number is
 * disposed, so after a write in place those ops repack the new values.
 */
export function renumberWasmTensor(tensor: tf.Tensor): void {
  const storage = activeStorage();
  const data = storage?.dataIdMap.get(tensor.dataId as object);
  if (storage === undefined || data == null || data.memoryOffset == null) return;
  storage.wasm.tfjs.disposeData(data.id);
  data.id = storage.dataIdNextNumber++;
  storage.wasm.tfjs.registerTensor(data.id, tensor.size, data.memoryOffset);
}

/** The wasm backend's heap: its memory and an allocator in it. */
export interface WasmBackendHeap {
  memory: WasmHeapMemory;
  /** Byte address of `bytes` new bytes in the heap (never freed: for small permanent blocks). */
  malloc(bytes: number): number;
}

/** The active wasm backend's heap, or undefined when the backend is not wasm (or changed). */
export function wasmBackendHeap(): WasmBackendHeap | undefined {
  const storage = activeStorage();
  if (storage === undefined) return undefined;
  const { wasm } = storage;
  return { memory: heapMemory(storage) as WasmHeapMemory, malloc: (bytes) => wasm._malloc(bytes) };
}
