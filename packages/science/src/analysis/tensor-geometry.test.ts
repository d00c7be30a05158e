import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { angleBetween, cosineSimilarity, innerProduct, relativeDifference, squaredNorm } from './tensor-geometry';

describe('tensor geometry', () => {
  it('computes norms, inner products and cosines over lists of tensors as one vector', () => {
    const a = [tf.tensor1d([3]), tf.tensor2d([[4, 0]])];
    const b = [tf.tensor1d([0]), tf.tensor2d([[1, 0]])];
    expect(squaredNorm(a)).toBe(25);
    expect(innerProduct(a, b)).toBe(4);
    expect(cosineSimilarity(a, b)).toBeCloseTo(0.8, 12);
    expect(relativeDifference(a, b)).toBeCloseTo(Math.sqrt(18), 12);
  });

  it('resolves angles far below float32 resolution of the cosine', () => {
    const a = tf.tensor1d([1, 0]);
    const b = tf.tensor1d([1, 1e-6]);
    expect(angleBetween(a, b)).toBeCloseTo(1e-6, 12);
    expect(angleBetween(a, tf.tensor1d([0, 2]))).toBeCloseTo(Math.PI / 2, 12);
    expect(angleBetween(a, tf.tensor1d([-1, 0]))).toBeCloseTo(Math.PI, 12);
  });

  it('names the problem with empty, mismatched or zero inputs', () => {
    expect(() => squaredNorm([])).toThrow(/x is empty/);
    expect(() => cosineSimilarity(tf.ones([2]), tf.ones([3]))).toThrow(/differ in size: 2 vs 3/);
    expect(() => angleBetween(tf.zeros([2]), tf.ones([2]))).toThrow(/zero/);
    expect(() => relativeDifference(tf.ones([2]), tf.zeros([2]))).toThrow(/reference b is zero/);
  });
});
