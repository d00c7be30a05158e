/**
 * Where the update loops run. The optimizers call an executor with one task per parameter; the
 * default runs them in the calling thread. `@paramscope/core/node` provides one that splits the
 * work across worker threads over shared memory.
 */
import { createGradientStaging, stagingKey } from './gradient-staging';
import { measureCall, measureKernel } from './rules/measure';
import type { UpdateRule } from './rules/rule';
import { allocateInArena, freeInArena, simdArena } from './simd/arena';
import { backendHeapKernels } from './simd/backend-heap';
import { runLoop, type FastPath } from './simd/dispatch';
import { simdEngine } from './simd/driver';
import { allocateFloat32, type Float32Allocator } from './tensor-access';

/** The pass before an update over one parameter. */
export interface MeasureTask {
  param: Float32Array;
  /**
   * The parameter across steps (its variable), where `param` may change between them (tfjs-node's
   * host copies take turns between two buffers); executors keep per-parameter buffers under it.
   */
  key?: object;
  grad: Float32Array;
  weightDecay: number;
  withNorms: boolean;
}

/** The update of one parameter. */
export interface UpdateTask<S> {
  param: Float32Array;
  /** As {@link MeasureTask.key}. */
  key?: object;
  grad: Float32Array;
  slots: Float32Array[];
  scalars: S;
}

/** Runs the optimizers' loops. */
export interface KernelExecutor {
  /** Allocates state and weight buffers the executor can work on. */
  readonly allocate: Float32Allocator;
  /** Whether the executor can work on weights stored in `storage` (default: any). */
  accepts?(storage: Float32Array): boolean;
  /** Forgets what an earlier step left (its gradients' copies); called before each step's loops. */
  beginStep?(): void;
  /** Per task: `[Σg², Σw², Σ(g + λw)²]` (the last two only with `withNorms`). */
  measure(tasks: MeasureTask[]): Float64Array[];
  /** Runs `rule.kernel` on each task; per task: `[Σ Δw², Σ w², Σ g²]` (Σ g² when the scalars ask for it). */
  update<S>(rule: UpdateRule<unknown, S>, tasks: UpdateTask<S>[]): Float64Array[];
}

/**
 * This thread's fast path: the SIMD engine, the arena and the wasm backend's heap, where the
 * platform (and the active backend) has them.
 */
export function fastPath(): FastPath {
  const engine = simdEngine();
  return { engine, arena: engine ? simdArena() : null, heap: engine ? backendHeapKernels() : null };
}

/**
 * The pass before an update over `[start, end)` of `task` by the fastest path: adds Σ g² (and
 * with `withNorms` Σ w², Σ (g + λw)²) to `sums`.
 */
export function fastMeasure(fast: FastPath, task: MeasureTask, start: number, end: number, sums: Float64Array): void {
  const { param, grad, weightDecay, withNorms } = task;
  const call = measureCall(weightDecay, withNorms);
  runLoop(fast, call, measureKernel(withNorms), { weightDecay }, param, grad, [], start, end, sums);
}

/** Runs every loop in the calling thread with the scalar (plain JavaScript) kernels. */
export const scalarExecutor: KernelExecutor = {
  allocate: allocateFloat32,
  measure(tasks) {
    return tasks.map((task) => {
      const sums = new Float64Array(3);
      const { param, grad, weightDecay, withNorms } = task;
      measureKernel(withNorms)(param, grad, [], 0, grad.length, { weightDecay }, sums);
      return sums;
    });
  },
  update(rule, tasks) {
    return tasks.map((task) => {
      const sums = new Float64Array(3);
      rule.kernel(task.param, task.grad, task.slots, 0, task.param.length, task.scalars, sums);
      return sums;
    });
  }
};

/**
 * The calling thread's copies of gradients in ordinary memory whose weights live in the arena (the
 * cpu backend's storage, tfjs-node's host copies): staged once in the pass before the update (a
 * step without that pass copies them chunk by chunk in the update).
 */
const inlineStaging = createGradientStaging((length) => allocateInArena(length, allocateFloat32), freeInArena);

/** Whether `task`'s gradient goes through {@link inlineStaging}: its weights are in the arena, it is not. */
function stagesGradient(fast: FastPath, task: MeasureTask): boolean {
  const { arena, heap } = fast;
  if (!arena || arena.addressOf(task.param) === undefined || arena.addressOf(task.grad) !== undefined) return false;
  return heap?.addressOf(task.grad) === undefined;
}

/**
 * Runs every loop in the calling thread, with WebAssembly SIMD kernels where the engine has them
 * (and the scalar kernels for the last few values and where it does not). The default.
 */
export const inlineExecutor: KernelExecutor = {
  allocate: (length) => allocateInArena(length, allocateFloat32),
  accepts: (storage) => {
    const arena = simdArena();
    return arena === null || arena.addressOf(storage) !== undefined;
  },
  beginStep: () => inlineStaging.reset(),
  measure(tasks) {
    const fast = fastPath();
    if (!fast.engine) return scalarExecutor.measure(tasks);
    return tasks.map((task) => {
      const sums = new Float64Array(3);
      if (stagesGradient(fast, task)) {
        // The sums of each chunk just copied, read from cache.
        inlineStaging.stage(stagingKey(task), task.grad, (copy, start, end) =>
          fastMeasure(fast, { ...task, grad: copy }, start, end, sums)
        );
      } else {
        fastMeasure(fast, task, 0, task.grad.length, sums);
      }
      return sums;
    });
  },
  update(rule, tasks) {
    const fast = fastPath();
    if (!fast.engine || !rule.simd) return scalarExecutor.update(rule, tasks);
    const simd = rule.simd.bind(rule);
    const kernel = rule.kernel.bind(rule);
    return tasks.map((task) => {
      const sums = new Float64Array(3);
      const { param, slots, scalars } = task;
      const grad = inlineStaging.staged(stagingKey(task), task.grad) ?? task.grad;
      runLoop(fast, simd(scalars), kernel, scalars, param, grad, slots, 0, param.length, sums);
      return sums;
    });
  }
};
