/**
 * The fast paths of the nn modules against the plain TF.js ops they replace (autograd of the
 * forward ops, zero padding + 'valid' convolution with a transposed weight), on cpu, wasm and —
 * when installed — the native backend, whose fused kernels are also compared with the portable
 * path on the same backend.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConv2dFilterGradient } from '../kernels';
import {
  batchNormTraining,
  conv2dTorch,
  conv2dTorchWeight,
  maxPool2dTorch,
  normalizeWith,
  relu,
  samePaddingMatches,
  torchFilterToTf,
  type RunningStats
} from './functional';
import { useNativeKernels } from './native';
import { BatchNorm1d, BatchNorm2d } from './norm';
import { bnCnn } from './small';
import { manualSeed } from './init';
import { nativeBackendInstalled } from '../../test-utils/native-backend';

const BACKENDS = ['cpu', 'wasm', ...(nativeBackendInstalled() ? ['tensorflow'] : [])];

/** max |a − b| / max |b|: rounding differences are the same in absolute terms everywhere. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  expect(actual.shape).toEqual(expected.shape);
  const a = actual.dataSync();
  const b = expected.dataSync();
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    diff = Math.max(diff, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

function expectClose(actual: tf.Tensor, expected: tf.Tensor, tol: number, what: string): void {
  expect(relativeError(actual, expected), what).toBeLessThanOrEqual(tol);
}

const EPS = 1e-5;

/** The reference: autograd of moments + normalize (what BatchNorm's forward did before). */
function referenceBatchNorm(x: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null): tf.Tensor {
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  const { mean, variance } = tf.moments(x, axes);
  return normalizeWith(x, mean, variance, EPS, weight, bias);
}

/** Value and gradients of Σ f(x, γ, β)·r for random upstream weights r. */
function valueAndGrads(
  f: (x: tf.Tensor, weight: tf.Tensor | null, bias: tf.Tensor | null) => tf.Tensor,
  x: tf.Tensor,
  weight: tf.Tensor | null,
  bias: tf.Tensor | null,
  r: tf.Tensor
): { y: tf.Tensor; grads: tf.Tensor[] } {
  const inputs = [x, weight, bias].filter((t): t is tf.Tensor => t !== null);
  const rebuild = (args: tf.Tensor[]): [tf.Tensor, tf.Tensor | null, tf.Tensor | null] => {
    let k = 1;
    return [args[0], weight ? args[k++] : null, bias ? args[k++] : null];
  };
  const y = f(...rebuild(inputs));
  const grads = tf.grads((...args: tf.Tensor[]) => tf.sum(tf.mul(f(...rebuild(args)), r)))(inputs);
  return { y, grads };
}

describe("samePaddingMatches: TF's SAME padding is PyTorch's symmetric padding exactly when", () => {
  it('stride 1 with padding (k − 1)/2, any size', () => {
    for (const size of [1, 2, 5, 8, 28]) {
      expect(samePaddingMatches(size, 3, 1, 1)).toBe(true);
      expect(samePaddingMatches(size, 7, 1, 3)).toBe(true);
      expect(samePaddingMatches(size, 3, 1, 2, 2)).toBe(true); // dilation 2: effective kernel 5
      expect(samePaddingMatches(size, 3, 1, 0)).toBe(false);
    }
  });
  it("stride 2 (kernel 3, padding 1, or ResNet's 7×7 stem, padding 3): odd sizes only", () => {
    expect([7, 9, 15].map((s) => samePaddingMatches(s, 3, 2, 1))).toEqual([true, true, true]);
    expect([2, 8, 16, 28].map((s) => samePaddingMatches(s, 3, 2, 1))).toEqual([false, false, false, false]);
    expect([33, 225].map((s) => samePaddingMatches(s, 7, 2, 3))).toEqual([true, true]);
    expect([32, 224].map((s) => samePaddingMatches(s, 7, 2, 3))).toEqual([false, false]);
  });
});

describe.each(BACKENDS)('fast paths on %s', (backend) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
    ensureConv2dFilterGradient(backend); // wasm has no Conv2DBackpropFilter
  });
  afterAll(async () => {
    useNativeKernels(true);
    await tf.setBackend('cpu');
  });

  // The native backend's fused batch norm differs from the composed ops in rounding only.
  const tol = backend === 'tensorflow' ? 1e-4 : 2e-5;

  for (const shape of [
    [32, 5],
    [6, 7, 5],
    [4, 5, 6, 5]
  ]) {
    for (const affine of [true, false]) {
      const title =
        `batch norm on [${shape}]${affine ? '' : ' without affine'}: ` +
        'value, gradients and running statistics equal autograd of the plain ops';
      it(title, () => {
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const x = tf.randomNormal(shape, 2, 3, 'float32', 1);
          const r = tf.randomNormal(shape, 0, 1, 'float32', 2);
          const weight = affine ? tf.randomNormal([5], 1, 0.5, 'float32', 3) : null;
          const bias = affine ? tf.randomNormal([5], 0, 1, 'float32', 4) : null;
          // Running statistics of every call (valueAndGrads runs the forward pass twice).
          const running: RunningStats[] = [];
          const runningStats = (): RunningStats => {
            const stats = {
              mean: tf.variable(tf.tensor1d([0.5, -1, 2, 0, 1]), false),
              variance: tf.variable(tf.tensor1d([1, 2, 3, 0.5, 1]), false),
              momentum: 0.3
            };
            running.push(stats);
            return stats;
          };
          const ours = valueAndGrads(
            (a, w, b) => batchNormTraining(a, w as tf.Tensor1D | null, b as tf.Tensor1D | null, EPS, runningStats()),
            x,
            weight,
            bias,
            r
          );
          const reference = valueAndGrads(referenceBatchNorm, x, weight, bias, r);
          expectClose(ours.y, reference.y, tol, 'value');
          ours.grads.forEach((g, i) =>
            expectClose(g, reference.grads[i], tol, `gradient ${['x', 'weight', 'bias'][i]}`)
          );
          const n = x.size / 5;
          const { mean, variance } = tf.moments(
            x,
            shape.slice(0, -1).map((_, i) => i)
          );
          for (const stats of running) {
            expectClose(
              stats.mean,
              tf.add(tf.mul(tf.tensor1d([0.5, -1, 2, 0, 1]), 0.7), tf.mul(mean, 0.3)),
              tol,
              'running mean'
            );
            expectClose(
              stats.variance,
              tf.add(tf.mul(tf.tensor1d([1, 2, 3, 0.5, 1]), 0.7), tf.mul(variance, (0.3 * n) / (n - 1))),
              tol,
              'running variance'
            );
            stats.mean.dispose();
            stats.variance.dispose();
          }
          expect(running).toHaveLength(2);
        });
        expect(tf.memory().numTensors).toBe(before);
      });
    }
  }

  it("BatchNorm1d/2d modules keep PyTorch's running statistics (momentum 0.1 and cumulative)", () => {
    for (const [bn, shape] of [
      [new BatchNorm2d(3), [4, 5, 5, 3]],
      [new BatchNorm1d(3, { momentum: null }), [10, 3]]
    ] as const) {
      const xs = [1, 2, 3].map((seed) => tf.randomNormal([...shape], seed, 2, 'float32', seed));
      let mean = tf.zeros([3]);
      let variance = tf.ones([3]);
      xs.forEach((x, step) => {
        tf.dispose(tf.grad((input: tf.Tensor) => tf.sum(bn.call(input)))(x));
        const m = bn.momentum ?? 1 / (step + 1);
        const moments = tf.moments(
          x,
          shape.slice(0, -1).map((_, i) => i)
        );
        const n = x.size / 3;
        mean = tf.add(tf.mul(mean, 1 - m), tf.mul(moments.mean, m));
        variance = tf.add(tf.mul(variance, 1 - m), tf.mul(moments.variance, (m * n) / (n - 1)));
      });
      expectClose(bn.runningMean!, mean, 1e-5, `${bn.kind} running mean`);
      expectClose(bn.runningVar!, variance, 1e-5, `${bn.kind} running var`);
      expect(bn.numBatchesTracked!.dataSync()[0]).toBe(3);
      bn.dispose();
    }
  });

  it("relu: value and gradient equal tf.relu's", () => {
    tf.tidy(() => {
      const x = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 5);
      const r = tf.randomNormal([3, 4, 5, 6], 0, 1, 'float32', 6);
      expectClose(relu(x), tf.relu(x), 0, 'value');
      const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(relu(a), r)))(x);
      expectClose(g, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(tf.relu(a), r)))(x), 0, 'gradient');
    });
  });

  // [input NHWC, weight OIHW, stride, padding]: same-equivalent, padded, single-output-position cases.
  type Shape4 = [number, number, number, number];
  const convCases: Array<[Shape4, Shape4, number, number]> = [
    [[2, 7, 7, 3], [4, 3, 3, 3], 1, 1], // 'same'
    [[2, 8, 8, 3], [4, 3, 3, 3], 2, 1], // even size, stride 2: padded
    [[2, 9, 9, 3], [4, 3, 3, 3], 2, 1], // odd size, stride 2: 'same'
    [[2, 10, 9, 3], [5, 3, 7, 7], 2, 3], // ResNet's stem on a non-square input
    [[2, 8, 8, 4], [6, 4, 1, 1], 2, 0], // shortcut projection
    [[3, 1, 1, 8], [5, 8, 3, 3], 1, 1], // 3×3 on a 1×1 map: one matrix product over the centre tap
    [[3, 2, 2, 8], [5, 8, 3, 3], 2, 1], // 2×2 → 1×1 with stride 2: the 2×2 taps that read the input
    [[3, 2, 2, 8], [5, 8, 1, 1], 2, 0], // 1×1/2 on 2×2
    [[2, 2, 3, 4], [3, 4, 3, 3], 3, 1] // one output, rectangular window
  ];
  for (const [xShape, wShape, stride, padding] of convCases) {
    const title =
      `conv2dTorchWeight on [${xShape}] with [${wShape}], stride ${stride}, padding ${padding}: ` +
      "value and gradients equal pad + 'valid'";
    it(title, () => {
      const before = tf.memory().numTensors;
      tf.tidy(() => {
        const x = tf.randomNormal(xShape, 0, 1, 'float32', 7) as tf.Tensor4D;
        const w = tf.randomNormal(wShape, 0, 1, 'float32', 8) as tf.Tensor4D;
        const reference = (a: tf.Tensor, k: tf.Tensor): tf.Tensor =>
          tf.conv2d(
            tf.pad(a as tf.Tensor4D, [
              [0, 0],
              [padding, padding],
              [padding, padding],
              [0, 0]
            ]),
            tf.transpose(k, [2, 3, 1, 0]) as tf.Tensor4D,
            stride,
            'valid'
          );
        const ours = (a: tf.Tensor, k: tf.Tensor): tf.Tensor =>
          conv2dTorchWeight(a as tf.Tensor4D, k as tf.Tensor4D, stride, padding);
        const y = ours(x, w);
        const expected = reference(x, w);
        expectClose(y, expected, 1e-5, 'value');
        const r = tf.randomNormal(expected.shape, 0, 1, 'float32', 9);
        const [dx, dw] = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(ours(a, k), r)))([x, w]);
        const [rx, rw] = tf.grads((a: tf.Tensor, k: tf.Tensor) => tf.sum(tf.mul(reference(a, k), r)))([x, w]);
        expectClose(dx, rx, 1e-5, 'input gradient');
        expectClose(dw, rw, 1e-5, 'weight gradient');
      });
      expect(tf.memory().numTensors).toBe(before);
    });
  }

  it('torchFilterToTf and conv2dTorch: the HWIO filter and its gradient', () => {
    tf.tidy(() => {
      const w = tf.randomNormal([6, 5, 3, 3], 0, 1, 'float32', 10) as tf.Tensor4D;
      const r = tf.randomNormal([3, 3, 5, 6], 0, 1, 'float32', 11);
      expectClose(torchFilterToTf(w), tf.transpose(w, [2, 3, 1, 0]), 0, 'value');
      const g = tf.grad((k: tf.Tensor) => tf.sum(tf.mul(torchFilterToTf(k as tf.Tensor4D), r)))(w);
      expectClose(g, tf.transpose(r, [3, 2, 0, 1]), 0, 'gradient');
      const x = tf.randomNormal([1, 6, 6, 5], 0, 1, 'float32', 12) as tf.Tensor4D;
      expectClose(
        conv2dTorch(x, torchFilterToTf(w), 1, 1),
        tf.conv2d(x, tf.transpose(w, [2, 3, 1, 0]) as tf.Tensor4D, 1, 'same'),
        1e-6,
        'conv'
      );
    });
  });

  for (const [size, stride] of [
    [16, 2],
    [15, 2],
    [7, 1]
  ]) {
    const title =
      `maxPool2dTorch 3×3/${stride}, padding 1 on ${size}×${size}: ` + "value and gradient equal −∞ padding + 'valid'";
    it(title, () => {
      tf.tidy(() => {
        const x = tf.randomNormal([2, size, size, 3], 0, 1, 'float32', 13) as tf.Tensor4D;
        const reference = (a: tf.Tensor): tf.Tensor =>
          tf.maxPool(
            tf.pad(
              a as tf.Tensor4D,
              [
                [0, 0],
                [1, 1],
                [1, 1],
                [0, 0]
              ],
              -Infinity
            ),
            3,
            stride,
            'valid'
          );
        const y = maxPool2dTorch(x, 3, stride, 1);
        expectClose(y, reference(x), 0, 'value');
        const r = tf.randomNormal(y.shape, 0, 1, 'float32', 14);
        const g = tf.grad((a: tf.Tensor) => tf.sum(tf.mul(maxPool2dTorch(a as tf.Tensor4D, 3, stride, 1), r)))(x);
        expectClose(g, tf.grad((a: tf.Tensor) => tf.sum(tf.mul(reference(a), r)))(x), 1e-6, 'gradient');
      });
    });
  }

  it('a training step of bnCnn gives the same loss and gradients with the fast paths on and off', () => {
    manualSeed(3);
    const net = bnCnn({ inChannels: 2, channels: [4, 6], numClasses: 3 });
    manualSeed(null);
    const x = tf.randomNormal([4, 9, 8, 2], 0, 1, 'float32', 15);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 1], 'int32'), 3);
    const run = (): tf.NamedTensorMap => {
      const snapshot = net.namedBuffers().map(([, v]) => tf.clone(v));
      const { value, grads } = tf.variableGrads(() => tf.losses.softmaxCrossEntropy(labels, net.call(x)) as tf.Scalar);
      net.namedBuffers().forEach(([, v], i) => v.assign(snapshot[i]));
      tf.dispose(snapshot);
      return { loss: value, ...grads };
    };
    const fast = run();
    useNativeKernels(false);
    const portable = run();
    useNativeKernels(true);
    for (const key of Object.keys(portable)) expectClose(fast[key], portable[key], tol, key);
    tf.dispose([fast, portable, x, labels]);
    net.dispose();
  });
});

describe('gradients of gradients (cpu)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('batch norm inside a nested gradient falls back to autograd: Hessian-vector products are right', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([12, 4], 0, 1, 'float32', 16);
      const w = tf.randomNormal([4, 3], 0, 1, 'float32', 17);
      const v = tf.randomNormal([4, 3], 0, 1, 'float32', 18);
      const r = tf.randomNormal([12, 3], 0, 1, 'float32', 19);
      const hvp = (bn: (z: tf.Tensor) => tf.Tensor): tf.Tensor => {
        const f = (weights: tf.Tensor): tf.Scalar => tf.sum(tf.mul(tf.square(bn(tf.matMul(x, weights))), r));
        const gradient = tf.grad(f);
        return tf.grad((weights: tf.Tensor) => tf.sum(tf.mul(gradient(weights), v)))(w);
      };
      const ours = hvp((z) => batchNormTraining(z, null, null, EPS));
      const reference = hvp((z) => referenceBatchNorm(z, null, null));
      expect(tf.norm(reference).dataSync()[0]).toBeGreaterThan(1e-3);
      expectClose(ours, reference, 1e-5, 'H·v');
    });
  });

  it('the closed-form batch-norm gradient agrees with central differences', () => {
    tf.tidy(() => {
      const x = tf.randomNormal([6, 3], 0, 1, 'float32', 20);
      const r = tf.randomNormal([6, 3], 0, 1, 'float32', 21);
      const gamma = tf.tensor1d([0.5, 1.5, -2]);
      const f = (a: tf.Tensor): number => tf.sum(tf.mul(batchNormTraining(a, gamma, null, EPS), r)).dataSync()[0];
      const analytic = tf
        .grad((a: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(a, gamma, null, EPS), r)))(x)
        .dataSync();
      const values = x.dataSync();
      const h = 1e-2;
      for (let i = 0; i < values.length; i++) {
        const plus = Float32Array.from(values);
        const minus = Float32Array.from(values);
        plus[i] += h;
        minus[i] -= h;
        const numeric = (f(tf.tensor2d(plus, [6, 3])) - f(tf.tensor2d(minus, [6, 3]))) / (2 * h);
        expect(Math.abs(numeric - analytic[i])).toBeLessThan(2e-2 * (1 + Math.abs(analytic[i])));
      }
    });
  });
});
