/**
 * Batch normalization's training-mode forward pass as plain TF.js ops (derivations D1, D2, D4, D7),
 * so a notebook can look at the intermediate quantities (μ_B, σ²_B, ẑ) that a BN layer hides.
 */
import * as tf from '@tensorflow/tfjs';
import { requireNonNegative } from '../checks';
import { ScienceError } from '../errors';

/** The batch statistics of a BN forward pass in training mode and what it produces. */
export interface BatchNormForward {
  /** Per-channel batch mean μ_B (shape: the channel axis). */
  mean: tf.Tensor;
  /** Per-channel biased batch variance σ²_B (what BN normalizes with; PyTorch and TF.js both use it). */
  variance: tf.Tensor;
  /** ẑ = (z − μ_B)/√(σ²_B + ε). */
  normalized: tf.Tensor;
  /** y = γẑ + β (equals `normalized` when no affine parameters were given). */
  output: tf.Tensor;
}

/** Options of {@link batchNormForward}. */
export interface BatchNormForwardOptions {
  /** ε added to the variance; PyTorch's default is 1e-5, TF.js layers' 1e-3. 0 gives exact invariance. */
  eps: number;
  /** Per-channel scale γ (default 1). */
  gamma?: tf.Tensor | number;
  /** Per-channel shift β (default 0). */
  beta?: tf.Tensor | number;
}

/**
 * Normalizes `z` over every axis but the last (channels last: `[batch, features]` or
 * `[batch, h, w, channels]`) with batch statistics, as BN does in training mode. Differentiable.
 */
export function batchNormForward(z: tf.Tensor, options: BatchNormForwardOptions): BatchNormForward {
  const { eps, gamma = 1, beta = 0 } = options;
  requireNonNegative('eps', eps, 'batchNormForward');
  if (z.rank < 2) {
    throw new ScienceError(`batchNormForward: z must have a batch axis and a channel axis, got shape [${z.shape}]`);
  }
  const axes = Array.from({ length: z.rank - 1 }, (_, axis) => axis);
  const { mean, variance } = tf.moments(z, axes);
  const normalized = tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, eps)));
  const output = tf.add(tf.mul(normalized, gamma), beta);
  return { mean, variance, normalized, output };
}
