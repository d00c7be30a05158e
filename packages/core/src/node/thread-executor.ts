/**
 * A {@link KernelExecutor} that splits the optimizers' loops across worker threads over shared
 * memory (Node only). The calling thread takes the first share of every large tensor and waits
 * for the workers with `Atomics.wait`, so `step()` stays synchronous.
 *
 * Shared memory is the arena (`SharedArrayBuffer`-backed WebAssembly memory this executor
 * allocates from: the cpu backend keeps using it as the variables' storage, on tfjs-node it holds
 * the host copies of the weights) and, with TF.js's threaded wasm build (`useThreadedWasmBackend`),
 * the wasm backend's own heap, where weights, gradients and state are all updated in place.
 * Gradients the cpu backend and tfjs-node hand over in ordinary memory are copied: before the
 * update, the calling thread copies each one it splits into a shared staging buffer, and takes its
 * Σ g² (the NaN/Infinity check) on each chunk it has just copied, while the chunk is in cache
 * (without that pass, `nonFinite: 'unchecked'`, it copies the workers' part of each gradient while
 * they run, releasing each tensor through a shared flag). Tensors in memory no worker can reach
 * (the single-threaded wasm builds' heap) are updated in the calling thread, in place in that heap.
 */
/// <reference types="node" />
import { availableParallelism } from 'node:os';
import { Worker } from 'node:worker_threads';
import { fastMeasure, inlineExecutor, type KernelExecutor, type MeasureTask, type UpdateTask } from '../optim/executor';
import { createGradientStaging, stagingKey } from '../optim/gradient-staging';
import { rejectUnknownKeys } from '../optim/keys';
import { measureCall, normsProgram, sumOfSquaresProgram } from '../optim/rules/measure';
import { variantFor, type Variant } from '../optim/rules/program';
import { scalarKernelSource } from '../optim/rules/scalar-kernel';
import type { UpdateRule } from '../optim/rules/rule';
import { allocateInArena, freeInArena, simdArena, type SimdArena } from '../optim/simd/arena';
import { backendHeapKernels, type BackendHeapKernels } from '../optim/simd/backend-heap';
import { runLoop, type FastPath } from '../optim/simd/dispatch';
import { ENGINE_LAYOUT, simdEngine } from '../optim/simd/driver';
import { simdModuleBytes } from '../optim/simd/kernels';
import { OptimizerError } from '../optim/validate';
import { workerSource, type MemoryName, type Piece, type SharedMemoryLoops, type WorkerJob } from './worker';

/** Options of {@link createThreadExecutor}. */
export interface ThreadExecutorOptions {
  /** Threads in all, the calling one included (default: the machine's available parallelism). */
  threads?: number;
  /** Tensors smaller than this many values are not split (default 65,536). */
  minSplitSize?: number;
  /** How long to wait for a worker before giving up, in ms (default 60,000). */
  timeoutMs?: number;
  /**
   * Fraction of each split tensor the calling thread updates itself (default: an equal share, or
   * less where it also copies the workers' part of the gradient; see {@link copyingCallerShare}).
   */
  callerShare?: number;
}

/** A thread pool executor; `close()` ends its workers. */
export interface ThreadExecutor extends KernelExecutor {
  readonly threads: number;
  /** Values updated so far by the workers and by the calling thread (to check the split). */
  readonly updatedValues: { workers: number; caller: number };
  close(): Promise<void>;
}

interface WorkerHandle {
  worker: Worker;
  control: Int32Array;
  results: Float64Array;
  sentKernels: Set<string>;
  sentSimd: boolean;
  /** The worker's own block for the arena kernels' sums (kept alive with the handle). */
  sums?: Float32Array;
  /** The backend heap the worker has its loops on, and its block for their sums there. */
  heap?: { memory: object; sums: number };
  pendingRegister: WorkerJob['register'];
  registered: WeakSet<Float32Array>;
  lastError?: string;
}

const isShared = (a: Float32Array): boolean => a.buffer instanceof SharedArrayBuffer;

function sharedFloat32(length: number): Float32Array {
  return new Float32Array(new SharedArrayBuffer(length * Float32Array.BYTES_PER_ELEMENT));
}

const THREAD_EXECUTOR_OPTIONS: ReadonlyArray<keyof ThreadExecutorOptions> = [
  'threads',
  'minSplitSize',
  'timeoutMs',
  'callerShare'
];

/**
 * Copying a value into shared memory costs about this fraction of updating it (one thread,
 * ResNet-50's tensors: 0.3 for AdamW, 0.55 for SGD-momentum; `bench/step-phases.bench.mjs`).
 */
const COPY_COST = 0.4;

/**
 * The calling thread's share where it also copies the workers' part of each gradient: its update
 * plus that copy take as long as each worker's update ((1 − s)/(T − 1) of the tensor).
 */
export function copyingCallerShare(threads: number): number {
  return Math.max(0, (1 - COPY_COST * (threads - 1)) / threads);
}

/** Creates a worker-thread executor; pass it as `{ executor }` to any optimizer. */
export function createThreadExecutor(options: ThreadExecutorOptions = {}): ThreadExecutor {
  rejectUnknownKeys(options, THREAD_EXECUTOR_OPTIONS, 'options', 'createThreadExecutor');
  const threads = Math.max(1, Math.floor(options.threads ?? availableParallelism()));
  const minSplitSize = options.minSplitSize ?? 65536;
  const timeoutMs = options.timeoutMs ?? 60000;
  const callerShare = options.callerShare ?? 1 / threads;
  const copyingShare = options.callerShare ?? copyingCallerShare(threads);
  if (!(callerShare >= 0 && callerShare <= 1)) {
    throw new OptimizerError(`createThreadExecutor: callerShare must be in [0, 1], got ${callerShare}`);
  }
  const ids = new WeakMap<Float32Array, number>();
  let nextId = 1;
  const released: number[] = [];
  const registry = new FinalizationRegistry<number>((id) => released.push(id));
  /** Shared copies of gradients, by parameter. */
  const staging = createGradientStaging((length) => allocateInArena(length, sharedFloat32), freeInArena);
  let sequence = 0;
  const updatedValues = { workers: 0, caller: 0 };

  const simd = simdEngine();
  const arena = simd ? simdArena() : null;
  const fast: FastPath = { engine: simd, arena };
  /** For the pass in progress, the wasm backend's heap where workers can reach it (the threaded build). */
  let heap: BackendHeapKernels | null = null;
  /**
   * Starts a pass: looks up the wasm backend's heap once (not per array), and returns the calling
   * thread's path, which has that heap when it is active, shared or not.
   */
  function beginPass(): FastPath {
    const backendHeap = simd ? backendHeapKernels() : null;
    heap = backendHeap?.shared ? backendHeap : null;
    return { ...fast, heap: backendHeap };
  }
  const source = workerSource();
  const workers: WorkerHandle[] = Array.from({ length: threads - 1 }, () => {
    const worker = new Worker(source, { eval: true });
    const handle: WorkerHandle = {
      worker,
      control: new Int32Array(new SharedArrayBuffer(8)),
      results: new Float64Array(new SharedArrayBuffer(8)),
      sentKernels: new Set(),
      sentSimd: false,
      pendingRegister: [],
      registered: new WeakSet()
    };
    worker.on('message', (message: string) => (handle.lastError = message));
    worker.on('error', (error) => (handle.lastError = `the thread stopped: ${error.stack ?? error}`));
    // After the listener: adding a 'message' listener refs the worker again. An executor nobody
    // closed must not keep the process alive.
    worker.unref();
    return handle;
  });

  /** Where the workers find `array`: its address in the arena or the shared heap, else the view itself. */
  function registration(id: number, array: Float32Array): WorkerJob['register'][0] {
    const inArena = arena?.addressOf(array);
    if (inArena !== undefined) return [id, inArena, array.length, 'arena'];
    const inHeap = heap?.addressOf(array);
    return inHeap === undefined ? [id, array] : [id, inHeap, array.length, 'heap' satisfies MemoryName];
  }

  function idOf(array: Float32Array): number {
    let id = ids.get(array);
    if (id === undefined) {
      id = nextId++;
      ids.set(array, id);
      registry.register(array, id);
    }
    for (const w of workers) {
      if (!w.registered.has(array)) {
        w.registered.add(array);
        w.pendingRegister.push(registration(id, array));
      }
    }
    return id;
  }

  /**
   * `grad` in shared memory: itself when it is shared, else a copy staged once per step. With
   * `gradSq`, also adds the gradient's Σ g² to `gradSq[0]`, taken on each chunk just after copying
   * it (the sum then reads from cache, not memory).
   */
  function sharedGradient(
    task: { param: Float32Array; key?: object },
    grad: Float32Array,
    gradSq?: Float64Array
  ): Float32Array {
    const { param } = task;
    const sumSquares = (values: Float32Array, start: number, end: number) => {
      if (gradSq) fastMeasure(fast, { param, grad: values, weightDecay: 0, withNorms: false }, start, end, gradSq);
    };
    if (isShared(grad)) {
      sumSquares(grad, 0, grad.length);
      return grad;
    }
    return staging.stage(stagingKey(task), grad, sumSquares);
  }

  /**
   * Splits each splittable task: its first `callerShare` stays in this thread (`local`), the
   * rest goes to the workers in equal ranges. Other tasks stay here whole.
   */
  function plan(
    tasks: Array<{ param: Float32Array; key?: object; grad: Float32Array }>,
    splittable: (i: number) => boolean,
    makePiece: (i: number, start: number, end: number, grad: Float32Array) => Piece,
    gradientOf: (i: number) => Float32Array = (i) => sharedGradient(tasks[i], tasks[i].grad),
    shareOf: (i: number) => number = () => callerShare
  ) {
    const local: Array<{ task: number; start: number; end: number; grad: Float32Array }> = [];
    const remote: Piece[][] = workers.map(() => []);
    tasks.forEach((task, i) => {
      const n = task.param.length;
      if (n < minSplitSize || !splittable(i)) {
        local.push({ task: i, start: 0, end: n, grad: task.grad });
        return;
      }
      const grad = gradientOf(i);
      const own = Math.min(n, Math.ceil((n * shareOf(i)) / 16) * 16);
      const chunk = Math.ceil((n - own) / workers.length / 16) * 16;
      local.push({ task: i, start: 0, end: own, grad });
      workers.forEach((_, w) => {
        const start = Math.min(own + w * chunk, n);
        const end = Math.min(own + (w + 1) * chunk, n);
        if (end > start) remote[w].push(makePiece(i, start, end, grad));
      });
    });
    return { local, remote };
  }

  /** What a worker needs to run the pointer loops on a shared memory, with its block for the sums. */
  const loopsFor = (on: SimdArena | BackendHeapKernels, sums: number): SharedMemoryLoops => ({
    memory: on.memory,
    bytes: on.moduleBytes,
    sums,
    block: on.block,
    readOnly: on.readOnly
  });

  /** The arena's loops for a worker, and a block of its own for the sums. */
  function arenaFor(w: WorkerHandle, arena: SimdArena): SharedMemoryLoops {
    w.sums = arena.alloc(16);
    return loopsFor(arena, arena.addressOf(w.sums) as number);
  }

  /** The shared heap's loops for a worker that does not have them on this heap yet. */
  function heapFor(w: WorkerHandle): SharedMemoryLoops | undefined {
    if (!heap || w.heap?.memory === heap.memory) return undefined;
    w.heap = { memory: heap.memory, sums: heap.malloc(16 * Float32Array.BYTES_PER_ELEMENT) };
    return loopsFor(heap, w.heap.sums);
  }

  /** Sends each worker its pieces, with the scalar loops of `variants` it has not had yet. */
  function dispatch(remote: Piece[][], variants: Variant[], ready?: Int32Array): void {
    const seq = ++sequence;
    const unregister = released.splice(0);
    workers.forEach((w, index) => {
      const pieces = remote[index];
      if (pieces.length === 0 && unregister.length === 0) return;
      if (w.results.length < pieces.length * 3)
        w.results = new Float64Array(new SharedArrayBuffer(pieces.length * 3 * 8 * 2));
      const kernels = variants
        .filter((v) => !w.sentKernels.has(v.name))
        .map((v): [string, string] => [v.name, scalarKernelSource(v)]);
      kernels.forEach(([name]) => w.sentKernels.add(name));
      const firstJob = !w.sentSimd;
      w.sentSimd = true;
      Atomics.store(w.control, 0, 0);
      const job: WorkerJob = {
        sequence: seq,
        control: w.control,
        results: w.results,
        kernels,
        simd: simd && firstJob ? { bytes: simdModuleBytes(), layout: ENGINE_LAYOUT } : undefined,
        arena: arena && firstJob ? arenaFor(w, arena) : undefined,
        heap: heapFor(w),
        register: w.pendingRegister,
        unregister,
        pieces,
        ready,
        timeoutMs
      };
      w.worker.postMessage(job);
      w.pendingRegister = [];
    });
  }

  function collect(remote: Piece[][], sums: Float64Array[]): void {
    workers.forEach((w, index) => {
      const pieces = remote[index];
      if (pieces.length === 0) return;
      const deadline = Date.now() + timeoutMs;
      let value: number;
      while ((value = Atomics.load(w.control, 0)) !== sequence) {
        if (
          Atomics.wait(w.control, 0, value, Math.max(1, deadline - Date.now())) === 'timed-out' &&
          Date.now() >= deadline
        ) {
          const why = w.lastError ? ` (${w.lastError})` : '';
          throw new Error(`optimizer worker thread ${index} did not answer within ${timeoutMs} ms${why}`);
        }
      }
      if (Atomics.load(w.control, 1) !== 0)
        throw new Error(`optimizer worker thread ${index} failed${w.lastError ? `: ${w.lastError}` : ''}`);
      pieces.forEach((piece, p) => {
        const out = sums[piece.task];
        for (let k = 0; k < out.length; k++) out[k] += w.results[p * 3 + k];
      });
    });
  }

  const measureVariants = [sumOfSquaresProgram, normsProgram].map((program) => variantFor(program, {}));

  let readyBuffer = new Int32Array(new SharedArrayBuffer(4));
  /** The per-task flags of {@link WorkerJob.ready}: 0 for the tasks this thread will copy, else 1. */
  function readyFlags(copying: boolean[]): Int32Array {
    if (readyBuffer.length < copying.length) readyBuffer = new Int32Array(new SharedArrayBuffer(4 * copying.length));
    const flags = readyBuffer.subarray(0, copying.length);
    copying.forEach((copies, i) => (flags[i] = copies ? 0 : 1));
    return flags;
  }

  return {
    threads,
    updatedValues,
    // The arena's memory is shared: workers can take its arrays, and this thread updates in place.
    allocate: (length) => allocateInArena(length, sharedFloat32),
    accepts: (storage) => workers.length === 0 || isShared(storage),
    beginStep() {
      staging.reset();
      inlineExecutor.beginStep?.();
    },
    measure(tasks: MeasureTask[]): Float64Array[] {
      if (workers.length === 0) return inlineExecutor.measure(tasks);
      const caller = beginPass();
      const sums = tasks.map(() => new Float64Array(3));
      const splittable = (i: number) => tasks[i].param.length >= minSplitSize && isShared(tasks[i].param);
      // Σ g² alone needs no second pass where the gradient is staged: it is taken while copying (the
      // update needs the copy anyway). Gradients in shared memory are measured by the workers too.
      const measured = tasks.map((t, i) => splittable(i) && !t.withNorms && !isShared(t.grad));
      measured.forEach((yes, i) => yes && sharedGradient(tasks[i], tasks[i].grad, sums[i]));
      const { local, remote } = plan(
        tasks,
        (i) => splittable(i) && !measured[i],
        (i, start, end, grad) => ({
          task: i,
          kernel: measureVariants[tasks[i].withNorms ? 1 : 0].name,
          call: simd ? measureCall(tasks[i].weightDecay, tasks[i].withNorms) : undefined,
          scalars: { weightDecay: tasks[i].weightDecay },
          param: idOf(tasks[i].param),
          grad: idOf(grad),
          slots: [],
          start,
          end
        })
      );
      dispatch(remote, measureVariants);
      for (const { task, start, end, grad } of local) {
        if (measured[task]) continue;
        fastMeasure(caller, { ...tasks[task], grad }, start, end, sums[task]);
      }
      collect(remote, sums);
      return sums;
    },
    update<S>(rule: UpdateRule<unknown, S>, tasks: UpdateTask<S>[]): Float64Array[] {
      if (workers.length === 0) return inlineExecutor.update(rule, tasks);
      const caller = beginPass();
      const sums = tasks.map(() => new Float64Array(3));
      const calls = tasks.map((t) => (simd && rule.simd ? rule.simd(t.scalars) : undefined));
      const variants = tasks.map((t) => variantFor(rule.programFor(t.scalars), t.scalars));
      const kernel = rule.kernel.bind(rule);
      // Gradients no pass before the update copied (`nonFinite: 'unchecked'`) are copied while the
      // workers run, in task order: the workers' ranges only, each released as soon as it is there.
      const copying = tasks.map((t) => !isShared(t.grad) && staging.staged(stagingKey(t), t.grad) === undefined);
      const { local, remote } = plan(
        tasks,
        (i) => isShared(tasks[i].param) && tasks[i].slots.every(isShared),
        (i, start, end, grad) => ({
          task: i,
          kernel: variants[i].name,
          call: calls[i],
          scalars: tasks[i].scalars,
          param: idOf(tasks[i].param),
          grad: idOf(grad),
          slots: tasks[i].slots.map(idOf),
          start,
          end
        }),
        (i) =>
          copying[i]
            ? staging.buffer(stagingKey(tasks[i]), tasks[i].grad.length)
            : sharedGradient(tasks[i], tasks[i].grad),
        (i) => (copying[i] ? copyingShare : callerShare)
      );
      // The workers' ranges of each gradient to copy: from the end of this thread's own range.
      const copies = local.filter(({ task, grad }) => copying[task] && grad !== tasks[task].grad);
      const copied = new Set(copies.map((c) => c.task));
      const ready = copied.size > 0 ? readyFlags(tasks.map((_, i) => copied.has(i))) : undefined;
      dispatch(remote, [...new Set(variants)], ready);
      if (ready) {
        try {
          for (const { task, end, grad } of copies) {
            grad.set(tasks[task].grad.subarray(end), end);
            Atomics.store(ready, task, 1);
            Atomics.notify(ready, task);
          }
        } catch (error) {
          ready.fill(2);
          for (let i = 0; i < tasks.length; i++) Atomics.notify(ready, i);
          collect(remote, sums);
          throw error;
        }
      }
      for (const pieces of remote) for (const piece of pieces) updatedValues.workers += piece.end - piece.start;
      for (const { task, start, end, grad } of local) {
        const t = tasks[task];
        updatedValues.caller += end - start;
        // This thread's range reads the gradient itself (through the arena's chunk copies, in cache).
        const source = copying[task] ? t.grad : grad;
        runLoop(caller, calls[task], kernel, t.scalars, t.param, source, t.slots, start, end, sums[task]);
      }
      collect(remote, sums);
      return sums;
    },
    async close() {
      await Promise.all(workers.map((w) => w.worker.terminate()));
      staging.clear();
    }
  };
}
