/**
 * Where the update loops run. The optimizers call an executor with one task per parameter; the
 * default runs them in the calling thread. `@paramscope/core/node` provides one that splits the
 * work across worker threads over shared memory.
 */
import { measureGradient, type UpdateRule } from './rules/rule';
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

/** Runs every loop in the calling thread. */
export const inlineExecutor: KernelExecutor = {
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
