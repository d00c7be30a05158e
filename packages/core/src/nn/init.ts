/**
 * Weight initialisation as PyTorch does it, with an optional global seed ({@link manualSeed}) so
 * notebooks can rebuild the same network.
 */
import * as tf from '@tensorflow/tfjs';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

let seedStream: number | null = null;

/**
 * Makes every initialisation that follows deterministic (PyTorch's `torch.manual_seed`).
 * `null` returns to unseeded initialisation.
 */
export function manualSeed(seed: number | null): void {
  if (seed !== null && !Number.isFinite(seed))
    throw new CoreError(`manualSeed: seed must be finite, got ${describeValue(seed)}`);
  seedStream = seed;
}

function nextSeed(): number | undefined {
  if (seedStream === null) return undefined;
  seedStream += 1;
  return seedStream;
}

/** A trainable variable drawn from U(−bound, bound). */
export function uniformVariable(shape: number[], bound: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomUniform(shape, -bound, bound, 'float32', nextSeed())));
}

/** A trainable variable drawn from N(0, std²). */
export function normalVariable(shape: number[], std: number): tf.Variable {
  return tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, std, 'float32', nextSeed())));
}

/** A variable filled with `value`; `trainable` false makes a buffer. */
export function constantVariable(shape: number[], value: number, trainable = true): tf.Variable {
  return tf.tidy(() => tf.variable(tf.fill(shape, value), trainable));
}

/** Product of a shape's dimensions. */
export function shapeSize(shape: readonly number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
