/**
 * Where the update loops run. The optimizers call an executor with one task per parameter; the
 * default runs them in the calling thread. `@paramscope/core/node` provides one that splits the
 * work across worker threads over shared memory.
 */
import { measureCall, measureGradient } from './rules/measure';
import type { UpdateRule } from './rules/rule';
import { allocateInArena, runInArena, simdArena } from './simd/arena';
import { simdEngine, simdMeasure, simdUpdate, type SimdEngine } from './simd/driver';
import type { SimdCall } from './rules/rule';
import { allocateFloat32, type Float32Allocator } from './tensor-access';

/** The pass before an update over one parameter. */
export interface MeasureTask {
  param: Float32Array;
  grad: Float32Array;
  weightDecay: number;
  withNorms: boolean;
}

/** The update of one parameter. */
export interface UpdateTask<S> {
  param: Float32Array;
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
  /** Per task: `[Σg², Σw², Σ(g + λw)²]` (the last two only with `withNorms`). */
  measure(tasks: MeasureTask[]): Float64Array[];
  /** Runs `rule.kernel` on each task; per task: `[Σ Δw², Σ w²]`. */
  update<S>(rule: UpdateRule<unknown, S>, tasks: UpdateTask<S>[]): Float64Array[];
}

/**
 * The SIMD step over `[start, end)`: in place when the arrays live in the arena, else through the
 * engine's chunk copies. Returns where the scalar kernel must take over.
 */
export function fastUpdate(
  simd: SimdEngine,
  call: SimdCall,
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  sums: Float64Array
): number {
  const arena = simdArena();
  const done = arena ? runInArena(arena, call, param, grad, slots, start, end, sums) : start;
  return done !== start || end - start < 4 ? done : simdUpdate(simd, call, param, grad, slots, start, end, sums);
}

/**
 * The pass before an update over `[start, end)` of `task` with SIMD (in the arena, or through the
 * engine's chunk copies), then the scalar loop for the last few values: adds Σ g² (and with
 * `withNorms` Σ w², Σ (g + λw)²) to `sums`.
 */
export function fastMeasure(simd: SimdEngine | null, task: MeasureTask, start: number, end: number, sums: Float64Array): void {
  const { param, grad, weightDecay, withNorms } = task;
  const arena = simdArena();
  const call = measureCall(weightDecay, withNorms);
  let done = arena ? runInArena(arena, call, param, grad, [], start, end, sums) : start;
  if (done === start && simd) done = simdMeasure(simd, param, grad, start, end, weightDecay, withNorms, sums);
  measureGradient(param, grad, done, end, weightDecay, withNorms, sums);
}

/** Runs every loop in the calling thread with the scalar (plain JavaScript) kernels. */
export const scalarExecutor: KernelExecutor = {
  allocate: allocateFloat32,
  measure(tasks) {
    return tasks.map((task) => {
      const sums = new Float64Array(3);
      measureGradient(task.param, task.grad, 0, task.grad.length, task.weightDecay, task.withNorms, sums);
      return sums;
    });
  },
  update(rule, tasks) {
    return tasks.map((task) => {
      const sums = new Float64Array(2);
      rule.kernel(task.param, task.grad, task.slots, 0, task.param.length, task.scalars, sums);
      return sums;
    });
  }
};

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
  measure(tasks) {
    const simd = simdEngine();
    if (!simd) return scalarExecutor.measure(tasks);
    return tasks.map((task) => {
      const sums = new Float64Array(3);
      fastMeasure(simd, task, 0, task.grad.length, sums);
      return sums;
    });
  },
  update(rule, tasks) {
    const simd = simdEngine();
    if (!simd || !rule.simd) return scalarExecutor.update(rule, tasks);
    return tasks.map((task) => {
      const sums = new Float64Array(2);
      const n = task.param.length;
      const done = fastUpdate(simd, (rule.simd as NonNullable<typeof rule.simd>)(task.scalars), task.param, task.grad, task.slots, 0, n, sums);
      rule.kernel(task.param, task.grad, task.slots, done, n, task.scalars, sums);
      return sums;
    });
  }
};
