import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nn } from '@paramscope/core';
import { recalibrateBatchNorm } from './precise-bn';

const { bnMlp, manualSeed } = nn;
type BatchNorm1d = nn.BatchNorm1d;

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function network() {
  manualSeed(7);
  const model = bnMlp([5, 6, 3]);
  manualSeed(null);
  const norm = model.namedModules().find(([name]) => name === '1')![1] as BatchNorm1d;
  return { model, norm, linear: model.namedModules().find(([name]) => name === '0')![1] };
}

const data = tf.tidy(() => tf.randomNormal([24, 5], 0.5, 2, 'float32', 3));
const values = (t: tf.Tensor) => Array.from(t.dataSync());

describe('recalibrateBatchNorm', () => {
  it('one batch of all the data gives the exact full-data mean and unbiased variance', () => {
    const { model, norm, linear } = network();
    // Stale statistics from a few training steps' worth of forward passes at other inputs.
    for (let i = 0; i < 3; i++) tf.tidy(() => model.call(tf.randomNormal([8, 5], i, 1, 'float32', i)));
    model.eval();
    expect(recalibrateBatchNorm(model, [data])).toBe(1);
    const { mean, variance } = tf.tidy(() => {
      const z = linear.call(data);
      const m = tf.moments(z, 0);
      return { mean: m.mean, variance: tf.mul(m.variance, 24 / 23) };
    });
    values(norm.runningMean!).forEach((v, i) => expect(v).toBeCloseTo(values(mean)[i], 5));
    values(norm.runningVar!).forEach((v, i) => expect(v).toBeCloseTo(values(variance)[i], 4));
    expect(model.training).toBe(false);
    expect(norm.momentum).toBe(0.1);
  });

  it('over equal batches: the mean of batch means (= the full mean) and of unbiased batch variances', () => {
    const { model, norm, linear } = network();
    const batches = [0, 8, 16].map((start) => data.slice(start, 8));
    recalibrateBatchNorm(model, batches);
    const z = linear.call(data);
    const fullMean = values(tf.mean(z, 0));
    const unbiasedVariance = (b: tf.Tensor) => tf.tidy(() => tf.mul(tf.moments(linear.call(b), 0).variance, 8 / 7));
    const batchVariances = batches.map((b) => values(unbiasedVariance(b)));
    const meanVariance = fullMean.map((_, i) => batchVariances.reduce((s, v) => s + v[i], 0) / batches.length);
    values(norm.runningMean!).forEach((v, i) => expect(v).toBeCloseTo(fullMean[i], 5));
    values(norm.runningVar!).forEach((v, i) => expect(v).toBeCloseTo(meanVariance[i], 4));
    expect(model.training).toBe(true);
  });

  it('leaves every parameter untouched and is idempotent', () => {
    const { model, norm } = network();
    const before = model.namedParameters().map(([name, p]) => [name, values(p)]);
    recalibrateBatchNorm(model, [data]);
    const once = values(norm.runningVar!);
    recalibrateBatchNorm(model, [data]);
    expect(model.namedParameters().map(([name, p]) => [name, values(p)])).toEqual(before);
    expect(values(norm.runningVar!)).toEqual(once);
  });

  it('refuses an empty list of batches before touching the statistics', () => {
    const { model, norm } = network();
    const before = values(norm.runningMean!);
    expect(() => recalibrateBatchNorm(model, [])).toThrow('recalibrateBatchNorm: no batches given');
    expect(values(norm.runningMean!)).toEqual(before);
  });
});
