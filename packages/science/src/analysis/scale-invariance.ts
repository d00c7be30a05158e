/**
 * The gradient geometry of a weight matrix followed by batch normalization (derivation D4): a toy
 * problem whose loss depends on W only through BN(XW), the radial gradient BN's ε leaves behind,
 * Hessian-vector products, and tangential synthetic gradients for the norm dynamics of D10/D11.
 */
import * as tf from '@tensorflow/tfjs';
import { batchNormForward } from './batchnorm-forward';
import { describeValue } from '@paramscope/protocol';
import { requireNonNegative } from '../checks';
import { ScienceError } from '../errors';

/** A loss L(W) = CE(softmax(relu(BN(XW))·H), labels) with fixed data X, head H and labels. */
export interface ScaleInvariantProblem {
  /** X, `[samples, features]`, with a nonzero mean so that μ_B is not near 0. */
  readonly inputs: tf.Tensor2D;
  /** A random starting W, `[features, channels]`. */
  readonly initialWeights: tf.Tensor2D;
  /** The ε of the BN in the loss (0 makes L exactly scale-invariant). */
  readonly eps: number;
  /** The loss as a function of BN's normalized output ẑ (what follows BN). */
  lossOfNormalized(normalized: tf.Tensor): tf.Scalar;
  /** L(W). */
  loss(weights: tf.Tensor): tf.Scalar;
  /** Frees the tensors the problem holds. */
  dispose(): void;
}

/** Sizes, ε and seed of {@link createScaleInvariantProblem}. */
export interface ScaleInvariantProblemOptions {
  samples?: number;
  features?: number;
  channels?: number;
  classes?: number;
  /** ε of the BN (default 0: exact scale invariance). */
  eps?: number;
  seed?: number;
}

/** Builds a seeded {@link ScaleInvariantProblem}: labels come from a random teacher network. */
export function createScaleInvariantProblem(options: ScaleInvariantProblemOptions = {}): ScaleInvariantProblem {
  const { samples = 128, features = 16, channels = 8, classes = 4, eps = 0, seed = 0 } = options;
  for (const [name, value] of Object.entries({ samples, features, channels, classes })) {
    if (!Number.isInteger(value) || value < 1)
      throw new ScienceError(
        `createScaleInvariantProblem: ${name} must be a positive integer, got ${describeValue(value)}`
      );
  }
  if (samples < 2)
    throw new ScienceError('createScaleInvariantProblem: samples must be at least 2 for batch statistics');
  requireNonNegative('eps', eps, 'createScaleInvariantProblem');
  const [inputs, initialWeights, head, labels] = tf.tidy(() => {
    const x = tf.randomNormal([samples, features], 1, 1, 'float32', seed) as tf.Tensor2D;
    const w0 = tf.randomNormal([features, channels], 0, 1, 'float32', seed + 1) as tf.Tensor2D;
    const h = tf.randomNormal([channels, classes], 0, 1, 'float32', seed + 2);
    const teacher = tf.randomNormal([features, channels], 0, 1, 'float32', seed + 3);
    const teacherLogits = tf.matMul(tf.relu(batchNormForward(tf.matMul(x, teacher), { eps: 0 }).normalized), h);
    return [x, w0, h, tf.oneHot(tf.argMax(teacherLogits, 1), classes)];
  });
  const lossOfNormalized = (normalized: tf.Tensor): tf.Scalar =>
    tf.tidy(
      () =>
        tf.losses.softmaxCrossEntropy(
          labels,
          tf.matMul(tf.relu(normalized) as tf.Tensor2D, head as tf.Tensor2D)
        ) as tf.Scalar
    );
  return {
    inputs,
    initialWeights,
    eps,
    lossOfNormalized,
    loss: (weights) =>
      tf.tidy(() => lossOfNormalized(batchNormForward(tf.matMul(inputs, weights as tf.Tensor2D), { eps }).normalized)),
    dispose: () => tf.dispose([inputs, initialWeights, head, labels])
  };
}

/**
 * The radial part of the gradient that BN's ε leaves, per output channel k:
 * ⟨w_k, ∂L/∂w_k⟩ = ε/(σ_k² + ε) · Σ_i (∂L/∂ẑ_ik) ẑ_ik.
 * `preactivations` is z = XW (`[samples, channels]`), `normalizedGradient` is ∂L/∂ẑ; returns `[channels]`.
 */
export function radialGradientPrediction(
  preactivations: tf.Tensor,
  normalizedGradient: tf.Tensor,
  eps: number
): tf.Tensor1D {
  if (preactivations.rank !== 2 || !tf.util.arraysEqual(preactivations.shape, normalizedGradient.shape)) {
    throw new ScienceError(
      `radialGradientPrediction: preactivations [${preactivations.shape}] ` +
        `and normalizedGradient [${normalizedGradient.shape}] must be equal 2-D shapes`
    );
  }
  return tf.tidy(() => {
    const { variance, normalized } = batchNormForward(preactivations, { eps });
    const factor = tf.div(eps, tf.add(variance, eps));
    return tf.mul(factor, tf.sum(tf.mul(normalizedGradient, normalized), 0)) as tf.Tensor1D;
  });
}

/**
 * H(w)·v, the Hessian of `f` at `w` times `v`, by differentiating ⟨∇f(w), v⟩ (nested gradients).
 * `v` is held constant even when it is the same tensor as `w`.
 */
export function hessianVectorProduct(f: (w: tf.Tensor) => tf.Scalar, w: tf.Tensor, v: tf.Tensor): tf.Tensor {
  if (!tf.util.arraysEqual(w.shape, v.shape)) {
    throw new ScienceError(`hessianVectorProduct: w [${w.shape}] and v [${v.shape}] must have the same shape`);
  }
  return tf.tidy(() => {
    const direction = tf.clone(v); // a distinct tensor, so the outer gradient does not flow into v
    const gradient = tf.grad(f);
    return tf.grad((x: tf.Tensor) => tf.sum(tf.mul(gradient(x), direction)))(w);
  });
}

/**
 * A random gradient orthogonal to `w` with norm `norm`: what a scale-invariant W receives
 * (⟨W, ∇L⟩ = 0), for studying norm dynamics without a network. Seeded.
 */
export function randomTangentGradient(w: tf.Tensor, norm: number, seed: number): tf.Tensor {
  requireNonNegative('norm', norm, 'randomTangentGradient');
  return tf.tidy(() => {
    const noise = tf.randomNormal(w.shape, 0, 1, 'float32', seed);
    const tangent = tf.sub(noise, tf.mul(w, tf.div(tf.sum(tf.mul(noise, w)), tf.sum(tf.square(w)))));
    return tf.mul(tangent, tf.div(norm, tf.norm(tangent)));
  });
}
