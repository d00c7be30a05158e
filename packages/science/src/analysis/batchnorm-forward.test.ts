import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { batchNormForward } from './batchnorm-forward';

describe('batchNormForward', () => {
  it('normalizes each channel to mean 0 and variance σ²/(σ²+ε), then applies γ and β', () => {
    const z = tf.tensor2d([
      [1, 10],
      [3, 20],
      [5, 60]
    ]);
    const eps = 0.5;
    const { mean, variance, normalized, output } = batchNormForward(z, {
      eps,
      gamma: tf.tensor1d([2, 3]),
      beta: tf.tensor1d([1, -1])
    });
    expect(Array.from(mean.dataSync())).toEqual([3, 30]);
    const expectedVariance = [8 / 3, 1400 / 3];
    Array.from(variance.dataSync()).forEach((v, k) => expect(v).toBeCloseTo(expectedVariance[k], 3));
    const moments = tf.moments(normalized, 0);
    Array.from(moments.mean.dataSync()).forEach((m) => expect(Math.abs(m)).toBeLessThan(1e-6));
    Array.from(moments.variance.dataSync()).forEach((v, k) =>
      expect(v).toBeCloseTo(expectedVariance[k] / (expectedVariance[k] + eps), 5)
    );
    expect(output.arraySync()).toEqual(tf.add(tf.mul(normalized, [2, 3]), [1, -1]).arraySync());
  });

  it('normalizes over every axis but the last', () => {
    const z = tf.randomNormal([4, 3, 3, 2], 5, 2, 'float32', 1);
    const { mean } = batchNormForward(z, { eps: 1e-5 });
    expect(mean.shape).toEqual([2]);
  });

  it('names what is wrong with its input', () => {
    expect(() => batchNormForward(tf.tensor1d([1, 2]), { eps: 1e-5 })).toThrow(/batch axis and a channel axis/);
    expect(() => batchNormForward(tf.ones([2, 2]), { eps: -1 })).toThrow(/eps must be a non-negative/);
  });
});
