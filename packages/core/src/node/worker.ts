/**
 * The worker threads' side of the thread executor. A worker runs {@link serveJobs} with the same
 * dispatch the calling thread uses (`optim/simd/dispatch.ts`: arena in place, chunk copies, scalar
 * tail); it receives the generated loops, never code of its own: the SIMD module's bytes, and each
 * scalar loop's source as generated from its rule's program. The worker's code is the source of
 * these typed functions (`new Worker(code, { eval: true })`), so the pool works from compiled
 * `lib/`, from sources under a TS loader and inside tslab alike.
 */
import {
  DISPATCH_FUNCTIONS,
  type ArenaKernels,
  type FastPath,
  type ReadOnlyKernels,
  type SimdCall,
  type WasmApi,
  instantiateEngine,
  runLoop
} from '../optim/simd/dispatch';
import type { UpdateKernel } from '../optim/rules/rule';

/** One loop over a range of one tensor, run by a worker. */
export interface Piece {
  /** Index of the task (tensor) in the step, to add the sums to. */
  task: number;
  /** The scalar loop's variant name (its source was sent before). */
  kernel: string;
  /** The SIMD loop, where the calling thread has the SIMD module. */
  call?: SimdCall;
  scalars: unknown;
  /** Array ids (see {@link WorkerJob.register}). */
  param: number;
  grad: number;
  slots: number[];
  start: number;
  end: number;
}

/** The shared memories a worker runs the pointer loops on. */
export type MemoryName = 'arena' | 'heap';

/** A shared memory, the pointer module's bytes and the worker's block for the loops' sums there. */
export interface SharedMemoryLoops {
  memory: object;
  bytes: Uint8Array;
  sums: number;
  block: number;
  readOnly: ReadOnlyKernels;
}

/** One message to a worker: what is new to it, and its pieces of one step. */
export interface WorkerJob {
  sequence: number;
  /** `[sequence done, failed]`, waited on by the calling thread. */
  control: Int32Array;
  /** Three sums per piece. */
  results: Float64Array;
  /** Scalar loops new to this worker: variant name and source. */
  kernels: Array<[string, string]>;
  /** The SIMD module and its layout (first job only). */
  simd?: { bytes: Uint8Array; layout: { chunk: number; block: number; readOnly: ReadOnlyKernels } };
  /** The arena's memory, its pointer module and this worker's block for sums (first job only). */
  arena?: SharedMemoryLoops;
  /** The same for the wasm backend's heap when it is shared (the threaded build), when new to the worker. */
  heap?: SharedMemoryLoops;
  /**
   * Shared arrays new to this worker: id, then its byte address, length and memory where it lives
   * in the arena or the backend's heap (the worker makes the view: a view of a WebAssembly memory
   * does not always survive `postMessage`, which then drops the whole message), else the view itself.
   */
  register: Array<[number, Float32Array] | [number, number, number, MemoryName]>;
  unregister: number[];
  pieces: Piece[];
  /**
   * Per task, set by the calling thread while the worker runs: 0 while the task's gradient is still
   * being copied into shared memory, 1 once it is, 2 when the step failed (skip the piece). Absent:
   * every gradient was there before the job.
   */
  ready?: Int32Array;
  /** How long to wait for a gradient, in ms. */
  timeoutMs: number;
}

/** The message port of a worker thread (`parentPort`). */
interface Port {
  on(event: 'message', listener: (job: WorkerJob) => void): void;
  postMessage(message: string): void;
}

/**
 * A worker's loop: runs each job's pieces and reports through `control`. Uses nothing but its
 * arguments (its source is the worker's code).
 */
export function serveJobs(
  port: Port,
  wasm: WasmApi,
  dispatch: { runLoop: typeof runLoop; instantiateEngine: typeof instantiateEngine }
): void {
  const kernels = new Map<string, UpdateKernel<unknown>>();
  const arrays = new Map<number, Float32Array>();
  const fast: FastPath = { engine: null, arena: null, heap: null };
  /** Per shared memory: the memory, and the address of each view made on it. */
  const memories = new Map<string, { memory: { buffer: ArrayBufferLike }; addresses: Map<Float32Array, number> }>();
  const loopsOn = (name: MemoryName, loops: SharedMemoryLoops): ArenaKernels => {
    const { bytes, block, readOnly } = loops;
    const memory = loops.memory as { buffer: ArrayBufferLike };
    const addresses = new Map<Float32Array, number>();
    memories.set(name, { memory, addresses });
    const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
    const sums = new Float32Array(memory.buffer, loops.sums, 16);
    addresses.set(sums, loops.sums);
    const exports = instance.exports as ArenaKernels['exports'];
    return { exports, addressOf: (view) => addresses.get(view), sums, block, readOnly };
  };
  port.on('message', (job) => {
    const { control, results } = job;
    try {
      for (const [name, source] of job.kernels) kernels.set(name, new Function(`return (${source});`)());
      if (job.simd) fast.engine = dispatch.instantiateEngine(wasm, job.simd.bytes, job.simd.layout);
      if (job.arena) fast.arena = loopsOn('arena', job.arena);
      if (job.heap) fast.heap = loopsOn('heap', job.heap);
      for (const [id, arrayOrAddress, length, where] of job.register) {
        if (typeof arrayOrAddress !== 'number') {
          arrays.set(id, arrayOrAddress);
          continue;
        }
        const shared = memories.get(where as string);
        if (!shared) throw new Error(`array ${id} lives in the ${where}, which this thread was not given`);
        const { memory, addresses } = shared;
        // The memory's current buffer covers every block allocated before this message.
        const view = new Float32Array(memory.buffer, arrayOrAddress, length);
        arrays.set(id, view);
        addresses.set(view, arrayOrAddress);
      }
      for (const id of job.unregister) {
        const view = arrays.get(id) as Float32Array;
        memories.forEach(({ addresses }) => addresses.delete(view));
        arrays.delete(id);
      }
      job.pieces.forEach((piece, i) => {
        const out = results.subarray(i * 3, i * 3 + 3);
        out.fill(0);
        const { ready } = job;
        if (ready && Atomics.wait(ready, piece.task, 0, job.timeoutMs) === 'timed-out') {
          throw new Error(`no gradient for task ${piece.task} within ${job.timeoutMs} ms`);
        }
        if (ready && Atomics.load(ready, piece.task) === 2) return;
        const [param, grad] = [arrays.get(piece.param), arrays.get(piece.grad)] as Float32Array[];
        const slots = piece.slots.map((id) => arrays.get(id) as Float32Array);
        const kernel = kernels.get(piece.kernel) as UpdateKernel<unknown>;
        dispatch.runLoop(fast, piece.call, kernel, piece.scalars, param, grad, slots, piece.start, piece.end, out);
      });
      Atomics.store(control, 1, 0);
    } catch (error) {
      Atomics.store(control, 1, 1);
      port.postMessage(String((error as Error)?.stack ?? error));
    }
    Atomics.store(control, 0, job.sequence);
    Atomics.notify(control, 0);
  });
}

/** The worker's code: the shared dispatch functions and {@link serveJobs}, from their source. */
export function workerSource(): string {
  return [
    "const { parentPort } = require('node:worker_threads');",
    ...DISPATCH_FUNCTIONS.map((fn) => fn.toString()),
    `(${serveJobs.toString()})(parentPort, WebAssembly, { runLoop, instantiateEngine });`
  ].join('\n');
}
