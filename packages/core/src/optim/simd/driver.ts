/**
 * Runs the SIMD kernels over arrays of any size: copies each chunk of the weights, the gradient and
 * the state into the module's memory, runs the kernel, copies the results back. The copies stay
 * in cache, so memory traffic is that of the loop itself. The functions here are self-contained
 * (worker threads rebuild them from source, so they read constants from the engine); the vector
 * loops stop at a multiple of the engine's `block` and leave the tail to the scalar kernel.
 */
import { CHUNK, SIMD_BLOCK, simdModuleBytes, type SimdCall } from './kernels';

/** An instantiated SIMD module: its exports and a view of its memory (which never grows). */
export interface SimdEngine {
  exports: Record<string, (...args: number[]) => void>;
  heap: Float32Array;
  chunk: number;
  /** Values per vector-loop iteration. */
  block: number;
}

/** The part of the WebAssembly API used here (core compiles without DOM or Node typings). */
interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

let engine: SimdEngine | null | undefined;

/** The SIMD engine, or null where WebAssembly SIMD is unavailable (then the scalar kernels run). */
export function simdEngine(): SimdEngine | null {
  if (engine !== undefined) return engine;
  try {
    const bytes = simdModuleBytes();
    const wasm = (globalThis as { WebAssembly?: WasmApi }).WebAssembly;
    if (!wasm || !wasm.validate(bytes)) {
      engine = null;
    } else {
      const instance = new wasm.Instance(new wasm.Module(bytes), {});
      const exports = instance.exports as Record<string, (...args: number[]) => void> & { memory: { buffer: ArrayBuffer } };
      engine = { exports, heap: new Float32Array(exports.memory.buffer), chunk: CHUNK, block: SIMD_BLOCK };
    }
  } catch {
    engine = null;
  }
  return engine;
}

/**
 * Runs `call` over `[start, stop)` with stop = start + a multiple of `simd.block` ≤ end; adds the kernel's sums
 * to `out`. Returns `stop` (the scalar kernel finishes `[stop, end)`).
 */
export function simdUpdate(
  simd: SimdEngine,
  call: SimdCall,
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  out: Float64Array
): number {
  const { heap, chunk } = simd;
  const fn = simd.exports[call.fn];
  const args = call.args;
  const stop = end - ((end - start) % simd.block);
  const acc = heap.subarray(5 * chunk, 5 * chunk + 8);
  for (let c = start; c < stop; c += chunk) {
    const len = Math.min(chunk, stop - c);
    heap.set(param.subarray(c, c + len), 0);
    heap.set(grad.subarray(c, c + len), chunk);
    for (let k = 0; k < slots.length; k++) heap.set(slots[k].subarray(c, c + len), (2 + k) * chunk);
    fn(len, ...args);
    param.set(heap.subarray(0, len), c);
    for (let k = 0; k < slots.length; k++) slots[k].set(heap.subarray((2 + k) * chunk, (2 + k) * chunk + len), c);
    out[0] += acc[0] + acc[1] + acc[2] + acc[3];
    out[1] += acc[4] + acc[5] + acc[6] + acc[7];
  }
  return stop;
}

/** The pass before an update with SIMD (Σg², and with `withNorms` Σw², Σ(g + λw)²); returns `stop`. */
export function simdMeasure(
  simd: SimdEngine,
  param: Float32Array,
  grad: Float32Array,
  start: number,
  end: number,
  weightDecay: number,
  withNorms: boolean,
  out: Float64Array
): number {
  const { heap, chunk } = simd;
  const stop = end - ((end - start) % simd.block);
  const acc = heap.subarray(5 * chunk, 5 * chunk + 12);
  for (let c = start; c < stop; c += chunk) {
    const len = Math.min(chunk, stop - c);
    heap.set(grad.subarray(c, c + len), chunk);
    if (withNorms) {
      heap.set(param.subarray(c, c + len), 0);
      simd.exports.norms(len, weightDecay);
      out[1] += acc[4] + acc[5] + acc[6] + acc[7];
      out[2] += acc[8] + acc[9] + acc[10] + acc[11];
    } else {
      simd.exports.sumsq(len);
    }
    out[0] += acc[0] + acc[1] + acc[2] + acc[3];
  }
  return stop;
}
