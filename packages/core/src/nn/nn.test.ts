import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  GroupNorm,
  InstanceNorm2d,
  LayerNorm,
  Linear,
  Sequential,
  ReLU,
  Embedding
} from './index';
import { bnCnn, bnMlp, disposeGrads, lossAndGrads, manualSeed, resnet18 } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
  manualSeed(7);
});
afterAll(() => manualSeed(null));

function close(a: tf.Tensor, b: tf.Tensor | number[], tol = 1e-5): void {
  const x = Array.from(a.dataSync());
  const y = Array.isArray(b) ? b : Array.from(b.dataSync());
  expect(x.length).toBe(y.length);
  x.forEach((v, i) => expect(Math.abs(v - y[i])).toBeLessThan(tol * (1 + Math.abs(y[i]))));
}

describe('Module tree', () => {
  it('names parameters and modules as PyTorch does, each tied tensor once', () => {
    const shared = new Linear(4, 4);
    const net = new Sequential(shared, new ReLU(), shared, new BatchNorm1d(4));
    expect(net.namedModules().map(([p, m]) => `${p}:${m.kind}`)).toEqual(
      ['', '0:Linear', '1:ReLU', '3:BatchNorm1d'].map((s) => (s === '' ? ':Sequential' : s))
    );
    expect(net.namedParameters().map(([n]) => n)).toEqual(['0.weight', '0.bias', '3.weight', '3.bias']);
    expect(net.namedParameters('', false).map(([n]) => n)).toEqual([
      '0.weight',
      '0.bias',
      '2.weight',
      '2.bias',
      '3.weight',
      '3.bias'
    ]);
    expect(net.namedBuffers().map(([n]) => n)).toEqual(['3.running_mean', '3.running_var', '3.num_batches_tracked']);
    net.dispose();
  });

  it('train() and eval() reach every descendant; requiresGrad freezes', () => {
    const net = bnMlp([3, 4, 2]);
    net.eval();
    expect(net.namedModules().every(([, m]) => !m.training)).toBe(true);
    net.train();
    expect(net.namedModules().every(([, m]) => m.training)).toBe(true);
    net.requiresGrad(false);
    expect(net.parameters().every((v) => !v.trainable)).toBe(true);
    net.dispose();
  });

  it('rejects bad hyperparameters naming them', () => {
    expect(() => new Linear(0, 3)).toThrow(/inFeatures must be a positive integer/);
    expect(() => new BatchNorm2d(4, { momentum: 2 })).toThrow(/momentum/);
    expect(() => new GroupNorm(3, 4)).toThrow(/divisible/);
    expect(() => new Conv2d(3, 4, 3, { padding: -1 })).toThrow(/padding/);
  });
});

describe('layers', () => {
  it('Linear computes x Wᵀ + b', () => {
    const lin = new Linear(2, 3);
    const x = tf.tensor2d([[1, 2]]);
    const w = lin.weight.arraySync() as number[][];
    const b = lin.bias!.arraySync() as number[];
    close(
      lin.call(x),
      w.map((row, i) => row[0] + 2 * row[1] + b[i])
    );
    lin.dispose();
  });

  it('Conv2d with a PyTorch-shaped weight matches a direct sum', () => {
    const conv = new Conv2d(2, 1, 3, { padding: 1, bias: false });
    const x = tf.randomNormal([1, 4, 4, 2]);
    const y = conv.call(x);
    expect(y.shape).toEqual([1, 4, 4, 1]);
    const w = conv.weight.arraySync() as number[][][][];
    const xs = x.arraySync() as number[][][][];
    let expected = 0;
    for (let c = 0; c < 2; c++)
      for (let i = 0; i < 3; i++)
        for (let j = 0; j < 3; j++) expected += w[0][c][i][j] * xs[0][1 + i - 1][1 + j - 1][c];
    expect((y.arraySync() as number[][][][])[0][1][1][0]).toBeCloseTo(expected, 4);
    conv.dispose();
  });

  it('Embedding gathers rows', () => {
    const emb = new Embedding(5, 2);
    close(emb.call(tf.tensor1d([3], 'int32')), (emb.weight.arraySync() as number[][])[3]);
    emb.dispose();
  });
});

describe('normalization (PyTorch conventions)', () => {
  it('BatchNorm1d: biased variance in the output, unbiased in running stats, momentum 0.1', () => {
    const bn = new BatchNorm1d(1);
    const x = tf.tensor2d([[1], [2], [3], [6]]);
    const mean = 3;
    const biased = (4 + 1 + 0 + 9) / 4;
    close(
      bn.call(x),
      [1, 2, 3, 6].map((v) => (v - mean) / Math.sqrt(biased + 1e-5))
    );
    close(bn.runningMean!, [0.9 * 0 + 0.1 * mean]);
    close(bn.runningVar!, [0.9 * 1 + (0.1 * (biased * 4)) / 3]);
    expect(bn.numBatchesTracked!.dataSync()[0]).toBe(1);
    bn.eval();
    close(bn.call(tf.tensor2d([[1]])), [(1 - 0.3) / Math.sqrt(0.9 + 0.1 * (14 / 3) + 1e-5)]);
    bn.dispose();
  });

  it('BatchNorm2d normalizes each channel over N, H, W; momentum null is a cumulative average', () => {
    const bn = new BatchNorm2d(2, { momentum: null });
    const x = tf.randomNormal([3, 2, 2, 2], 5, 2);
    const y = bn.call(x);
    const { mean, variance } = tf.moments(y, [0, 1, 2]);
    close(mean, [0, 0], 1e-4);
    close(variance, [1, 1], 1e-3);
    bn.call(tf.add(x, 1));
    close(bn.runningMean!, tf.mean(tf.concat([x, tf.add(x, 1)]), [0, 1, 2]), 1e-4);
    bn.dispose();
  });

  it('BatchNorm2d in training mode equals tfjs-layers batchNormalization with the same ε (1e-5)', () => {
    const x = tf.randomNormal([4, 3, 3, 5], 2, 3, 'float32', 9);
    const ours = new BatchNorm2d(5);
    const gamma = tf.randomNormal([5], 1, 0.5, 'float32', 10);
    const beta = tf.randomNormal([5], 0, 1, 'float32', 11);
    ours.weight!.assign(gamma);
    ours.bias!.assign(beta);
    const layer = tf.layers.batchNormalization({
      epsilon: 1e-5,
      gammaInitializer: tf.initializers.constant({ value: 1 })
    });
    layer.build(x.shape);
    layer.setWeights([gamma, beta, tf.zeros([5]), tf.ones([5])]);
    close(ours.call(x), layer.apply(x, { training: true }) as tf.Tensor, 1e-5);
    ours.dispose();
  });

  it('LayerNorm, GroupNorm and InstanceNorm2d give zero mean and unit variance where they should', () => {
    const x = tf.randomNormal([2, 3, 3, 4], 1, 3);
    const ln = new LayerNorm(4);
    close(tf.moments(ln.call(x), [3]).mean, new Array(18).fill(0), 1e-4);
    const gn = new GroupNorm(2, 4);
    const g = gn.call(x).reshape([2, 9, 2, 2]);
    close(tf.moments(g, [1, 3]).mean, new Array(4).fill(0), 1e-4);
    const inorm = new InstanceNorm2d(4);
    expect(inorm.namedParameters()).toEqual([]);
    close(tf.moments(inorm.call(x), [1, 2]).variance, new Array(8).fill(1), 1e-3);
    expect(new InstanceNorm2d(4, { affine: true }).namedParameters().map(([n]) => n)).toEqual(['weight', 'bias']);
  });
});

describe('training', () => {
  it('computes gradients by name and leaks no tensors across steps', () => {
    const net = bnCnn({ inChannels: 3, channels: [4, 8], numClasses: 3 });
    const x = tf.randomNormal([4, 8, 8, 3], 0, 1, 'float32', 1);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const step = (): number => {
      const { loss, grads } = lossAndGrads(net, () => tf.losses.softmaxCrossEntropy(labels, net.call(x)) as tf.Scalar);
      expect(Object.keys(grads)).toEqual(net.namedParameters().map(([n]) => n));
      tf.tidy(() => {
        for (const [name, variable] of net.namedParameters())
          variable.assign(tf.sub(variable, tf.mul(grads[name], 0.1)));
      });
      const value = loss.dataSync()[0];
      loss.dispose();
      disposeGrads(grads);
      return value;
    };
    const first = step();
    const before = tf.memory().numTensors;
    let last = first;
    for (let i = 0; i < 5; i++) last = step();
    expect(tf.memory().numTensors).toBe(before);
    expect(last).toBeLessThan(first);
    net.dispose();
  }, 60_000);

  it('a parameter the loss does not reach gets no gradient', () => {
    const used = new Linear(3, 2);
    const unused = new Linear(3, 2);
    const net = new Sequential(used);
    net.registerModule('spare', unused);
    const { loss, grads } = lossAndGrads(net, () => tf.sum(used.call(tf.ones([1, 3]))) as tf.Scalar);
    expect(Object.keys(grads)).toEqual(['0.weight', '0.bias']);
    loss.dispose();
    disposeGrads(grads);
    net.dispose();
  });

  it('frozen parameters get no gradient', () => {
    const net = bnMlp([3, 4, 2]);
    const [, firstWeight] = net.namedParameters()[0];
    firstWeight.trainable = false;
    const { loss, grads } = lossAndGrads(net, () => tf.mean(net.call(tf.randomNormal([5, 3]))) as tf.Scalar);
    expect(Object.keys(grads)).not.toContain('0.weight');
    loss.dispose();
    disposeGrads(grads);
    net.dispose();
  });
});

describe('resnet18', () => {
  it('runs forward on NHWC input and has torchvision totals', () => {
    const net = resnet18({ numClasses: 10 });
    const y = tf.tidy(() => net.call(tf.randomNormal([2, 32, 32, 3])));
    expect(y.shape).toEqual([2, 10]);
    y.dispose();
    net.dispose();
  }, 60_000);
});
