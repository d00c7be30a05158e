import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormForward } from './batchnorm-forward';
import {
  createScaleInvariantProblem,
  hessianVectorProduct,
  radialGradientPrediction,
  randomTangentGradient
} from './scale-invariance';
import { cosineSimilarity, innerProduct, relativeDifference } from './tensor-geometry';

describe('createScaleInvariantProblem', () => {
  it('has a loss that does not change when W is scaled (ε = 0) and is reproducible from its seed', () => {
    const problem = createScaleInvariantProblem({ seed: 3 });
    const w = problem.initialWeights;
    const base = problem.loss(w).dataSync()[0];
    expect(base).toBeGreaterThan(0);
    expect(problem.loss(tf.mul(w, 7)).dataSync()[0]).toBeCloseTo(base, 5);
    expect(problem.loss(tf.add(w, 1)).dataSync()[0]).not.toBeCloseTo(base, 3);
    const again = createScaleInvariantProblem({ seed: 3 });
    expect(again.loss(again.initialWeights).dataSync()[0]).toBe(base);
    problem.dispose();
    again.dispose();
  });

  it('rejects bad sizes and ε', () => {
    expect(() => createScaleInvariantProblem({ channels: 0 })).toThrow(/channels must be a positive integer/);
    expect(() => createScaleInvariantProblem({ samples: 1 })).toThrow(/samples must be at least 2/);
    expect(() => createScaleInvariantProblem({ eps: -1 })).toThrow(/eps must be a non-negative/);
  });
});

describe('radialGradientPrediction', () => {
  it('predicts ⟨w_k, ∂L/∂w_k⟩ per channel when ε > 0', () => {
    const eps = 0.05;
    const problem = createScaleInvariantProblem({ eps, seed: 5 });
    const w = tf.mul(problem.initialWeights, 0.1); // σ² comparable to ε, so the radial part is large
    const gradient = tf.grad((v: tf.Tensor) => problem.loss(v))(w);
    const measured = tf.sum(tf.mul(w, gradient), 0);
    const z = tf.matMul(problem.inputs, w);
    const normalizedGradient = tf.grad((n: tf.Tensor) => problem.lossOfNormalized(n))(
      batchNormForward(z, { eps }).normalized
    );
    const predicted = radialGradientPrediction(z, normalizedGradient, eps);
    expect(relativeDifference(measured, predicted)).toBeLessThan(1e-3);
    expect(Math.abs(innerProduct(predicted, predicted))).toBeGreaterThan(1e-8);
    problem.dispose();
  });

  it('rejects mismatched shapes', () => {
    expect(() => radialGradientPrediction(tf.ones([4, 2]), tf.ones([4, 3]), 1e-5)).toThrow(/must be equal 2-D shapes/);
  });
});

describe('hessianVectorProduct', () => {
  it('matches the analytic Hessian of a quadratic, with v the same tensor as w', () => {
    const a = tf.tensor2d([
      [2, 1],
      [1, 3]
    ]);
    const f = (w: tf.Tensor) =>
      tf.mul(0.5, tf.sum(tf.mul(w, tf.matMul(a, w.reshape([2, 1])).reshape([2])))) as tf.Scalar;
    const w = tf.tensor1d([1, -2]);
    expect(Array.from(hessianVectorProduct(f, w, w).dataSync())).toEqual([0, -5]);
  });

  it('gives H(W)·W = −∇L(W) for a scale-invariant loss', () => {
    const problem = createScaleInvariantProblem({ seed: 2 });
    const w = problem.initialWeights;
    const hw = hessianVectorProduct(problem.loss, w, w);
    const gradient = tf.grad((v: tf.Tensor) => problem.loss(v))(w);
    expect(relativeDifference(hw, tf.neg(gradient))).toBeLessThan(1e-3);
    problem.dispose();
  });

  it('rejects a direction of another shape', () => {
    expect(() => hessianVectorProduct((w) => tf.sum(w), tf.ones([2]), tf.ones([3]))).toThrow(/same shape/);
  });
});

describe('randomTangentGradient', () => {
  it('is orthogonal to w, has the requested norm and depends on the seed', () => {
    const w = tf.randomNormal([64], 0, 1, 'float32', 1);
    const g = randomTangentGradient(w, 0.5, 7);
    expect(Math.abs(cosineSimilarity(w, g))).toBeLessThan(1e-6);
    expect(tf.norm(g).dataSync()[0]).toBeCloseTo(0.5, 5);
    expect(cosineSimilarity(g, randomTangentGradient(w, 0.5, 8))).toBeLessThan(0.9);
    expect(() => randomTangentGradient(w, -1, 0)).toThrow(/norm must be a non-negative/);
  });
});
