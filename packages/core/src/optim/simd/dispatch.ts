/**
 * The fast path of one loop, written once for the calling thread and the worker threads: the
 * SIMD loop in place on the arena where the arrays live there, else through chunk copies into
 * the engine's own memory, then the scalar loop for the last few values (or all of them, without
 * SIMD). The functions here use nothing but their arguments and each other: worker threads run
 * their source (see `node/worker.ts`), so they read the kernels and constants from what they are
 * given.
 */
import type { UpdateKernel } from '../rules/rule';

/** A SIMD loop's export name and its f32 arguments. */
export interface SimdCall {
  fn: string;
  args: number[];
}

/** The loops that only read (they store nothing), and whether each reads the weights. */
export type ReadOnlyKernels = Readonly<Record<string, { readsParam: boolean }>>;

/** An instantiated SIMD module with its own memory (which never grows): loops on chunk copies. */
export interface SimdEngine {
  exports: Record<string, (...args: number[]) => void>;
  heap: Float32Array;
  chunk: number;
  /** Values per vector-loop iteration: every vector loop stops at a multiple of it. */
  block: number;
  readOnly: ReadOnlyKernels;
}

/** The loops on byte addresses in the shared arena, as one thread sees them. */
export interface ArenaKernels {
  exports: Record<string, (...args: number[]) => void>;
  /** Byte address of `view` if it lives in the arena. */
  addressOf(view: Float32Array): number | undefined;
  /** This thread's block for the loops' sums. */
  sums: Float32Array;
  /** Chunks for gradients and weights outside the arena (absent: such loops take the copies). */
  scratch?: Float32Array;
  paramScratch?: Float32Array;
  block: number;
  readOnly: ReadOnlyKernels;
}

/** What one thread has for its loops: each part is null where the platform lacks it. */
export interface FastPath {
  engine: SimdEngine | null;
  arena: ArenaKernels | null;
  /** The same loops on the wasm backend's heap (calling thread only). */
  heap?: ArenaKernels | null;
}

/**
 * Runs the pointer loop `call` over `[start, stop)` (stop = start + a multiple of the block ≤
 * end) when every slot lives in the arena; returns `stop`, or `start` when one does not (nothing
 * done). Slots are updated in place. Weights and gradients outside the arena (the wasm backend's
 * heap, host copies) go through scratch chunks, the weights copied back after each chunk. Adds
 * the loop's sums to `out` (as many as `out` holds, at most three).
 */
export function runInArena(
  arena: ArenaKernels,
  call: SimdCall,
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  out: Float64Array
): number {
  const slotAddresses = slots.map((slot) => arena.addressOf(slot));
  if (slotAddresses.some((a) => a === undefined)) return start;
  const readOnly = arena.readOnly[call.fn];
  const gradAddress = arena.addressOf(grad);
  const paramAddress = arena.addressOf(param);
  const stagesParam = paramAddress === undefined && readOnly?.readsParam !== false;
  const { scratch, paramScratch, sums } = arena;
  if ((gradAddress === undefined && !scratch) || (stagesParam && !paramScratch)) return start;
  const stop = end - ((end - start) % arena.block);
  const fn = arena.exports[call.fn];
  const sumsAddress = arena.addressOf(sums) as number;
  // Staged arrays go by scratch chunks; arrays in place by one call.
  const staged = gradAddress === undefined || paramAddress === undefined;
  const chunk = staged && scratch ? scratch.length : stop - start;
  const slot = (k: number, c: number) => (k < slots.length ? (slotAddresses[k] as number) + c * 4 : 0);
  const outputs = Math.min(out.length, 3);
  for (let c = start; c < stop; c += chunk) {
    const len = Math.min(chunk, stop - c);
    let g = gradAddress === undefined ? 0 : gradAddress + c * 4;
    if (gradAddress === undefined) {
      scratch!.set(grad.subarray(c, c + len));
      g = arena.addressOf(scratch!) as number;
    }
    let w = paramAddress === undefined ? 0 : paramAddress + c * 4;
    if (stagesParam) {
      paramScratch!.set(param.subarray(c, c + len));
      w = arena.addressOf(paramScratch!) as number;
    }
    fn(len, w, g, slot(0, c), slot(1, c), slot(2, c), sumsAddress, ...call.args);
    if (stagesParam && !readOnly) param.set(paramScratch!.subarray(0, len), c);
    for (let k = 0; k < outputs; k++) out[k] += sums[4 * k] + sums[4 * k + 1] + sums[4 * k + 2] + sums[4 * k + 3];
  }
  return stop;
}

/**
 * Runs `call` over `[start, stop)` with stop = start + a multiple of the engine's block ≤ end,
 * copying each chunk of the arrays the loop uses into the engine's memory and the ones it stores
 * back; adds the loop's sums to `out` (as many as it holds, at most three). Returns `stop`.
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
  const readOnly = simd.readOnly[call.fn];
  const copiesParam = readOnly?.readsParam !== false;
  const stop = end - ((end - start) % simd.block);
  const sums = heap.subarray(5 * chunk, 5 * chunk + 12);
  const outputs = Math.min(out.length, 3);
  for (let c = start; c < stop; c += chunk) {
    const len = Math.min(chunk, stop - c);
    if (copiesParam) heap.set(param.subarray(c, c + len), 0);
    heap.set(grad.subarray(c, c + len), chunk);
    for (let k = 0; k < slots.length; k++) heap.set(slots[k].subarray(c, c + len), (2 + k) * chunk);
    fn(len, ...call.args);
    if (!readOnly) {
      param.set(heap.subarray(0, len), c);
      for (let k = 0; k < slots.length; k++) slots[k].set(heap.subarray((2 + k) * chunk, (2 + k) * chunk + len), c);
    }
    for (let k = 0; k < outputs; k++) out[k] += sums[4 * k] + sums[4 * k + 1] + sums[4 * k + 2] + sums[4 * k + 3];
  }
  return stop;
}

/**
 * One loop over `[start, end)` by the fastest path `fast` offers: in place in the arena or in the
 * wasm backend's heap, else through the engine's chunk copies (`call` absent: neither), then `kernel` (the scalar loop)
 * for what is left. Adds the loop's sums to `out`.
 */
export function runLoop<S>(
  fast: FastPath,
  call: SimdCall | undefined,
  kernel: UpdateKernel<S>,
  scalars: S,
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  out: Float64Array
): void {
  let done = start;
  const loops = (fast.arena ?? fast.engine)?.exports;
  if (call && loops && !loops[call.fn]) {
    throw new Error(`no SIMD loop ${call.fn}: the rule's programs are not in rules/registry.ts`);
  }
  // The heap first: the arena would take its arrays through scratch copies.
  if (call && fast.heap) done = runInArena(fast.heap, call, param, grad, slots, start, end, out);
  if (call && fast.arena && done === start) done = runInArena(fast.arena, call, param, grad, slots, start, end, out);
  if (call && fast.engine && done === start && end - start >= fast.engine.block) {
    done = simdUpdate(fast.engine, call, param, grad, slots, start, end, out);
  }
  if (done < end) kernel(param, grad, slots, done, end, scalars, out);
}

/** The parts of the WebAssembly API used here (core compiles without DOM or Node typings). */
export interface WasmApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, unknown> };
}

/** The SIMD module `bytes` (chunk regions in its own memory) as an engine. */
export function instantiateEngine(
  wasm: WasmApi,
  bytes: Uint8Array,
  layout: { chunk: number; block: number; readOnly: ReadOnlyKernels }
): SimdEngine {
  const exports = new wasm.Instance(new wasm.Module(bytes), {}).exports as SimdEngine['exports'];
  const memory = (exports as unknown as { memory: { buffer: ArrayBuffer } }).memory;
  const { chunk, block, readOnly } = layout;
  return { exports, heap: new Float32Array(memory.buffer), chunk, block, readOnly };
}

/** The functions above, for the worker threads' source. */
export const DISPATCH_FUNCTIONS = [runInArena, simdUpdate, runLoop, instantiateEngine];
