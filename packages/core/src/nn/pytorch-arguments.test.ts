/**
 * PyTorch's constructor arguments: the forms this package implements work, and every other one is
 * an error that names the argument, its value and what is supported.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AdaptiveAvgPool2d,
  BatchNorm1d,
  BatchNorm2d,
  Conv2d,
  Embedding,
  Flatten,
  GroupNorm,
  InstanceNorm2d,
  LayerNorm,
  Linear,
  manualSeed,
  MaxPool2d,
  ReLU,
  type Module
} from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
  manualSeed(3);
});
afterAll(() => manualSeed(null));

/** Builds a module, runs `check` on it and disposes it. */
function withModule<M extends Module>(module: M, check: (module: M) => void): void {
  try {
    check(module);
  } finally {
    module.dispose();
  }
}

/** Options that TypeScript rejects, as plain JavaScript (or a wider variable) would pass them. */
function untyped<T>(options: Record<string, unknown>): T {
  return options as T;
}

describe('AdaptiveAvgPool2d(outputSize)', () => {
  it('accepts 1 and [1, 1], PyTorch global average pooling, as the default does', () => {
    const x = tf.randomNormal([2, 3, 5, 4]);
    for (const module of [new AdaptiveAvgPool2d(1), new AdaptiveAvgPool2d([1, 1]), new AdaptiveAvgPool2d()]) {
      const y = module.call(x);
      expect(y.shape).toEqual([2, 1, 1, 4]);
      expect(Array.from(y.dataSync())).toEqual(Array.from(tf.mean(x, [1, 2], true).dataSync()));
    }
  });

  it('names any other output size and says what is supported', () => {
    expect(() => new AdaptiveAvgPool2d(7)).toThrow(
      'AdaptiveAvgPool2d: outputSize = 7 is not supported; only 1 or [1, 1] is (global average pooling)'
    );
    expect(() => new AdaptiveAvgPool2d([1, 2])).toThrow('AdaptiveAvgPool2d: outputSize = [1, 2] is not supported');
  });
});

describe('Conv2d', () => {
  it("takes PyTorch's pairs with equal entries, 'valid', 'same', groups 1 and paddingMode 'zeros'", () => {
    withModule(new Conv2d(2, 3, [3, 3], { stride: [2, 2], padding: [1, 1], dilation: [1, 1], groups: 1 }), (conv) => {
      expect([conv.kernelSize, conv.stride, conv.padding, conv.dilation]).toEqual([3, 2, 1, 1]);
    });
    withModule(new Conv2d(2, 3, 5, { padding: 'same', dilation: 2, paddingMode: 'zeros' }), (conv) => {
      expect(conv.padding).toBe(4);
      expect(conv.call(tf.zeros([1, 9, 9, 2])).shape).toEqual([1, 9, 9, 3]);
    });
    withModule(new Conv2d(2, 3, 3, { padding: 'valid', dtype: 'float32' }), (conv) => expect(conv.padding).toBe(0));
  });

  it('names each unsupported argument with its value and what is supported', () => {
    expect(() => new Conv2d(4, 4, 3, { groups: 4 })).toThrow(
      'Conv2d: groups = 4 is not supported; only 1 is (grouped and depthwise convolutions are not implemented)'
    );
    expect(() => new Conv2d(4, 4, 3, { paddingMode: 'reflect' })).toThrow(
      `Conv2d: paddingMode = "reflect" is not supported; only 'zeros' is`
    );
    expect(() => new Conv2d(4, 4, [3, 5])).toThrow(
      'Conv2d: kernelSize = [3, 5] is not supported; only a square kernel: one number, or a pair of equal numbers'
    );
    expect(() => new Conv2d(4, 4, 3, { stride: [1, 2] })).toThrow('Conv2d: stride = [1, 2] is not supported');
    expect(() => new Conv2d(4, 4, 3, { padding: 'same', stride: 2 })).toThrow(
      `Conv2d: padding = "same" is not supported; it needs stride 1 (as in PyTorch), got stride 2`
    );
    expect(() => new Conv2d(4, 4, 2, { padding: 'same' })).toThrow(
      'Conv2d: padding = "same" is not supported; with dilation·(kernelSize − 1) = 1 it would pad one side more'
    );
    expect(() => new Conv2d(4, 4, 3, { device: 'cuda' })).toThrow(
      'Conv2d: device = "cuda" is not supported; ' +
        'TF.js keeps tensors on its active backend (tf.setBackend, useBestBackend)'
    );
    expect(() => new Conv2d(4, 4, 3, { dtype: 'float64' })).toThrow(
      `Conv2d: dtype = "float64" is not supported; only 'float32' is`
    );
  });

  it('an unknown option suggests the name meant; a positional number asks for options by name', () => {
    expect(() => new Conv2d(4, 4, 3, untyped({ padding_mode: 'zeros' }))).toThrow(
      'Conv2d: unknown option "padding_mode"; did you mean paddingMode?'
    );
    expect(() => new Conv2d(4, 4, 3, untyped({ bogus: 1 }))).toThrow(
      'Conv2d: unknown option "bogus"; ' +
        'Conv2d takes stride, padding, dilation, groups, paddingMode, bias, weightInit, device, dtype'
    );
    expect(() => new Conv2d(4, 4, 3, 2 as never)).toThrow(
      'Conv2d: the 4th argument takes options by name ' +
        '({ stride, padding, dilation, groups, paddingMode, bias, weightInit }), got 2'
    );
  });
});

describe('Linear, Embedding', () => {
  it("Linear: device and dtype are PyTorch's factory arguments; TF.js has float32 on its backend", () => {
    withModule(new Linear(3, 2, { dtype: 'float32' }), (linear) => expect(linear.weight.dtype).toBe('float32'));
    expect(() => new Linear(3, 2, { device: 'cpu' })).toThrow('Linear: device = "cpu" is not supported');
    expect(() => new Linear(3, 2, untyped({ Bias: false }))).toThrow(
      'Linear: unknown option "Bias"; did you mean bias?'
    );
  });

  it("Embedding: only PyTorch's defaults of paddingIdx, maxNorm, normType, scaleGradByFreq, sparse", () => {
    withModule(new Embedding(5, 2, { paddingIdx: null, maxNorm: null, normType: 2, sparse: false }), (embedding) =>
      expect(embedding.weight.shape).toEqual([5, 2])
    );
    expect(() => new Embedding(5, 2, { paddingIdx: 0 })).toThrow(
      'Embedding: paddingIdx = 0 is not supported; only null is'
    );
    expect(() => new Embedding(5, 2, { maxNorm: 1 })).toThrow('Embedding: maxNorm = 1 is not supported; only null is');
    expect(() => new Embedding(5, 2, { normType: 1 })).toThrow('Embedding: normType = 1 is not supported');
    expect(() => new Embedding(5, 2, { scaleGradByFreq: true })).toThrow(
      'Embedding: scaleGradByFreq = true is not supported'
    );
    expect(() => new Embedding(5, 2, { sparse: true })).toThrow(
      'Embedding: sparse = true is not supported; only false is (TF.js has no sparse gradients)'
    );
  });
});

describe('normalization', () => {
  it('BatchNorm: affine and trackRunningStats are supported; device and snake_case names are not', () => {
    withModule(new BatchNorm2d(3, { affine: false, trackRunningStats: false }), (bn) => {
      expect(bn.namedParameters()).toEqual([]);
      expect(bn.namedBuffers()).toEqual([]);
    });
    expect(() => new BatchNorm1d(3, { device: 'cuda:0' })).toThrow('BatchNorm1d: device = "cuda:0" is not supported');
    expect(() => new BatchNorm2d(3, untyped({ track_running_stats: false }))).toThrow(
      'BatchNorm2d: unknown option "track_running_stats"; did you mean trackRunningStats?'
    );
  });

  it('InstanceNorm2d: trackRunningStats only false; LayerNorm and GroupNorm check their options', () => {
    const instanceNorm = new InstanceNorm2d(3, { momentum: 0.1, trackRunningStats: false });
    withModule(instanceNorm, (norm) => expect(norm.eps).toBe(1e-5));
    expect(() => new InstanceNorm2d(3, { trackRunningStats: true })).toThrow(
      'InstanceNorm2d: trackRunningStats = true is not supported; only false is (no running statistics are kept)'
    );
    expect(() => new LayerNorm(4, untyped({ elementwise_affine: false }))).toThrow(
      'LayerNorm: unknown option "elementwise_affine"; did you mean elementwiseAffine?'
    );
    expect(() => new GroupNorm(2, 4, { dtype: 'float16' })).toThrow('GroupNorm: dtype = "float16" is not supported');
  });
});

describe('MaxPool2d, ReLU, Flatten', () => {
  it("MaxPool2d: PyTorch's positional kernelSize, stride (null: the kernel), padding, and pairs", () => {
    withModule(new MaxPool2d([3, 3], null, [1, 1]), (pool) =>
      expect([pool.kernelSize, pool.stride, pool.padding]).toEqual([3, 3, 1])
    );
    withModule(new MaxPool2d(3, 2, 1, { dilation: 1, ceilMode: false, returnIndices: false }), (pool) =>
      expect(pool.call(tf.zeros([1, 8, 8, 2])).shape).toEqual([1, 4, 4, 2])
    );
  });

  it('MaxPool2d: names dilation, ceilMode, returnIndices and a padding over half the window', () => {
    expect(() => new MaxPool2d(3, 2, 1, { ceilMode: true })).toThrow(
      'MaxPool2d: ceilMode = true is not supported; only false is (output sizes round down)'
    );
    expect(() => new MaxPool2d(3, 2, 1, { dilation: 2 })).toThrow(
      'MaxPool2d: dilation = 2 is not supported; only 1 is'
    );
    expect(() => new MaxPool2d(3, 2, 1, { returnIndices: true })).toThrow(
      'MaxPool2d: returnIndices = true is not supported'
    );
    expect(() => new MaxPool2d(3, 2, 2)).toThrow('MaxPool2d: padding must be an integer from 0 to kernelSize / 2');
  });

  it('ReLU(inplace) gives the same values; Flatten(startDim, endDim) flattens the axes between', () => {
    const x = tf.tensor2d([[-1, 2]]);
    expect(Array.from(new ReLU(true).call(x).dataSync())).toEqual([0, 2]);
    const y = tf.zeros([2, 3, 4, 5]);
    expect(new Flatten().call(y).shape).toEqual([2, 60]);
    expect(new Flatten(1, 2).call(y).shape).toEqual([2, 12, 5]);
    expect(new Flatten(0, -1).call(y).shape).toEqual([120]);
    expect(() => new Flatten(3, 1).call(y)).toThrow(
      'Flatten: startDim 3 and endDim 1 do not span axes of an input of rank 4'
    );
  });
});
