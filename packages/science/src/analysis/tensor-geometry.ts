/**
 * Norms, cosines and angles between parameter tensors, computed in float64 from the tensors' data
 * so that measuring a 1e-6 angle is not limited by float32 rounding in the reduction.
 */
import * as tf from '@tensorflow/tfjs';
import { ScienceError } from '../errors';

/** One tensor or a list of tensors treated as one long vector (e.g. all of a model's weights). */
export type TensorGroup = tf.Tensor | readonly tf.Tensor[];

function flatValues(x: TensorGroup, name: string): Float64Array {
  const tensors = Array.isArray(x) ? (x as readonly tf.Tensor[]) : [x as tf.Tensor];
  const size = tensors.reduce((total, t) => total + t.size, 0);
  if (size === 0) throw new ScienceError(`${name} is empty`);
  const values = new Float64Array(size);
  let offset = 0;
  for (const t of tensors) {
    values.set(t.dataSync() as Float32Array, offset);
    offset += t.size;
  }
  return values;
}

function pair(a: TensorGroup, b: TensorGroup): [Float64Array, Float64Array] {
  const [x, y] = [flatValues(a, 'a'), flatValues(b, 'b')];
  if (x.length !== y.length) throw new ScienceError(`a and b differ in size: ${x.length} vs ${y.length} elements`);
  return [x, y];
}

function dot(x: Float64Array, y: Float64Array): number {
  let sum = 0;
  for (let i = 0; i < x.length; i++) sum += x[i] * y[i];
  return sum;
}

/** ‖x‖² over all elements. */
export function squaredNorm(x: TensorGroup): number {
  const values = flatValues(x, 'x');
  return dot(values, values);
}

/** ⟨a, b⟩ over all elements. */
export function innerProduct(a: TensorGroup, b: TensorGroup): number {
  return dot(...pair(a, b));
}

/** cos∠(a, b) = ⟨a,b⟩/(‖a‖‖b‖); throws when either is zero. */
export function cosineSimilarity(a: TensorGroup, b: TensorGroup): number {
  const [x, y] = pair(a, b);
  const denominator = Math.sqrt(dot(x, x) * dot(y, y));
  if (denominator === 0) throw new ScienceError('cosineSimilarity: a or b is zero, the angle is undefined');
  return dot(x, y) / denominator;
}

/**
 * The angle between a and b in radians, accurate for tiny angles too:
 * 2·atan2(‖â − b̂‖, ‖â + b̂‖) instead of arccos of a cosine that rounds to 1.
 */
export function angleBetween(a: TensorGroup, b: TensorGroup): number {
  const [x, y] = pair(a, b);
  const [nx, ny] = [Math.sqrt(dot(x, x)), Math.sqrt(dot(y, y))];
  if (nx === 0 || ny === 0) throw new ScienceError('angleBetween: a or b is zero, the angle is undefined');
  let difference = 0;
  let sum = 0;
  for (let i = 0; i < x.length; i++) {
    const [u, v] = [x[i] / nx, y[i] / ny];
    difference += (u - v) ** 2;
    sum += (u + v) ** 2;
  }
  return 2 * Math.atan2(Math.sqrt(difference), Math.sqrt(sum));
}

/** ‖a − b‖/‖b‖: how far `a` is from the reference `b`. */
export function relativeDifference(a: TensorGroup, b: TensorGroup): number {
  const [x, y] = pair(a, b);
  const reference = Math.sqrt(dot(y, y));
  if (reference === 0) throw new ScienceError('relativeDifference: the reference b is zero');
  let difference = 0;
  for (let i = 0; i < x.length; i++) difference += (x[i] - y[i]) ** 2;
  return Math.sqrt(difference) / reference;
}
