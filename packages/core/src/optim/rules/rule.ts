/**
 * The contract between an optimizer and its update rule. A rule is plain data plus pure
 * functions: an element loop over typed arrays, which runs in the main thread and in worker
 * threads (they rebuild it from its source) on float32 views of the weights, the gradient and the
 * per-parameter state tensors ("slots"); and the same step in TF.js ops, for backends whose memory
 * the loops cannot reach (webgl, webgpu, tensorflow).
 */
import type * as tf from '@tensorflow/tfjs';

/** Sums measured over one parameter before any update (see {@link measureGradient}). */
export interface PrePassSums {
  /** Σ g² (NaN or Infinity when the gradient is not finite). */
  gradSq: number;
  /** Σ w² (only when the rule asks for norms). */
  weightSq: number;
  /** Σ (g + λ·w)² with the group's weight decay λ (only when the rule asks for norms). */
  decayedGradSq: number;
}

/**
 * Fused element loop over `[start, end)`: updates `param` and `slots` in place, and adds the
 * update's Σ Δw² to `out[0]` and the old weights' Σ w² to `out[1]`.
 */
export type UpdateKernel<S> = (
  param: Float32Array,
  grad: Float32Array,
  slots: Float32Array[],
  start: number,
  end: number,
  scalars: S,
  out: Float64Array
) => void;

/** One optimizer's update rule, hyperparameters `H`, per-tensor scalars `S`. */
export interface UpdateRule<H, S> {
  /** A stable name for the rule (worker threads look kernels up by it). */
  readonly id: string;
  /** State tensors a parameter of this group carries, in PyTorch's order (camelCase names). */
  slots(group: H): string[];
  /** Whether the optimizer keeps a per-parameter `step` count (Adam's `state['step']`). */
  readonly countsSteps: boolean;
  /** Whether {@link scalars} needs ‖w‖ and ‖g + λw‖ from a pass before the update (LARS). */
  readonly needsNorms: boolean;
  /**
   * Per-tensor scalars for the kernel: hyperparameters, bias corrections, trust ratios.
   * `step` is the parameter's step count including this step; `fresh` is true when its state
   * tensors were just created (zeros).
   */
  scalars(group: H, step: number, fresh: boolean, sums: PrePassSums): S;
  /**
   * The element loop. It must be self-contained (no references outside its own body but globals
   * such as `Math`), written as a method named `kernel`: worker threads rebuild it from its source.
   * (Declared as a method, as it is written: a rule then fits `UpdateRule<H, unknown>`.)
   */
  kernel(...args: Parameters<UpdateKernel<S>>): void;
  /**
   * The same step in TF.js ops on the tensors' own backend: the new weights and state tensors.
   * Called inside `tf.tidy`; must not return `grad` or a slot it was given (clone instead).
   */
  tensorKernel(param: tf.Tensor, grad: tf.Tensor, slots: tf.Tensor[], scalars: S): TensorStep;
  /** The same step as a call of a SIMD kernel (`simd/kernels.ts`), where one exists. */
  simd?(scalars: S): SimdCall;
  /** The trust ratio for diagnostics, when the rule has one. */
  trustRatio?(scalars: S): number;
}

/** Weights and state after one step, as tensors. */
export interface TensorStep {
  param: tf.Tensor;
  slots: tf.Tensor[];
}

/** Which SIMD kernel runs a rule's step, with its f32 arguments (see `simd/kernels.ts`). */
export interface SimdCall {
  fn: string;
  args: number[];
}

/**
 * Pass over one gradient before any update: Σ g² (doubles as the NaN/Infinity check) and,
 * when `withNorms`, Σ w² and Σ (g + λw)².
 */
export function measureGradient(
  param: Float32Array,
  grad: Float32Array,
  start: number,
  end: number,
  weightDecay: number,
  withNorms: boolean,
  out: Float64Array
): void {
  let gradSq = 0;
  if (!withNorms) {
    for (let i = start; i < end; i++) gradSq += grad[i] * grad[i];
    out[0] += gradSq;
    return;
  }
  let weightSq = 0;
  let decayedSq = 0;
  for (let i = start; i < end; i++) {
    const g = grad[i];
    const w = param[i];
    const d = Math.fround(g + weightDecay * w);
    gradSq += g * g;
    weightSq += w * w;
    decayedSq += d * d;
  }
  out[0] += gradSq;
  out[1] += weightSq;
  out[2] += decayedSq;
}
