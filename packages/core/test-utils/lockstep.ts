/**
 * What the thread executor's tests share: a small conv net's parameters, and stepping two copies
 * of it in lockstep (one optimizer per copy) on the same gradients, to compare their weights.
 */
import * as tf from '@tensorflow/tfjs';
import type { Optimizer } from '../src/optim';

/** Tensors of a small conv net: two of them large enough to split at a `minSplitSize` of 1,024. */
export function smallModel(seed: number): tf.Variable[] {
  return [[64, 3, 7, 7], [64], [256, 64, 1, 1], [10]].map((shape, i) =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 0.1, 'float32', seed + i)))
  );
}

/** Values of {@link smallModel} in its two large tensors (the ones an executor splits). */
export const SPLIT_VALUES = 64 * 3 * 49 + 256 * 64;

/** Steps `a` (over `first`) and `b` (over `second`) `steps` times on the same random gradients. */
export function stepInLockstep(
  a: Optimizer<object>,
  b: Optimizer<object>,
  first: tf.Variable[],
  second: tf.Variable[],
  steps: number
): void {
  for (let step = 0; step < steps; step++) {
    const grads = first.map((v, i) => tf.randomNormal(v.shape, 0, 1, 'float32', 100 * step + i));
    a.step(new Map(first.map((v, i) => [v, grads[i]])));
    b.step(new Map(second.map((v, i) => [v, grads[i]])));
    tf.dispose(grads);
  }
}

/** The largest absolute difference between the values of `x` and `y`. */
export function largestDifference(x: tf.Tensor, y: tf.Tensor): number {
  const [a, b] = [x.dataSync(), y.dataSync()];
  let worst = 0;
  for (let k = 0; k < a.length; k++) worst = Math.max(worst, Math.abs(a[k] - b[k]));
  return worst;
}
