/**
 * Parity of the nn modules with PyTorch: one training-mode step of three small networks (a BN
 * CNN with a strided convolution on an even size, a ResNet stem with two BasicBlocks whose last
 * convolutions have a single output position, a BatchNorm1d MLP) from the weights and batch of
 * fixtures/nn/reference.json (scripts/nn_reference.py, PyTorch in float64): the loss, every
 * gradient and the running statistics, on cpu, wasm and — when installed — the native backend
 * with and without its fused kernels.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConv2dFilterGradient } from '../kernels';
import { AdaptiveAvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from './layers';
import type { Module } from './module';
import { useNativeKernels } from './native';
import { BatchNorm2d } from './norm';
import { BasicBlock } from './resnet';
import { bnCnn, bnMlp } from './small';
import { nativeBackendInstalled } from '../../test-utils/native-backend';

interface Case {
  name: 'bnCnn' | 'resnetTail' | 'bnMlp';
  inputShape: number[];
  input: number[];
  labels: number[];
  numClasses: number;
  params: Array<{ name: string; shape: number[]; values: number[] }>;
  loss: number;
  grads: Array<{ name: string; values: number[] }>;
  buffersAfter: Array<{ name: string; values: number[] }>;
  torchFloat32WorstGradError: number;
}

const { cases } = JSON.parse(readFileSync(join(__dirname, '..', '..', 'fixtures', 'nn', 'reference.json'), 'utf8')) as {
  cases: Case[];
};

const BUILDERS: Record<Case['name'], () => Module> = {
  bnCnn: () => bnCnn({ inChannels: 2, channels: [4, 6], numClasses: 3 }),
  resnetTail: () =>
    new Sequential(
      new Conv2d(3, 8, 7, { stride: 2, padding: 3, bias: false }),
      new BatchNorm2d(8),
      new ReLU(),
      new MaxPool2d(3, 2, 1),
      new BasicBlock(8, 8, 1),
      new BasicBlock(8, 16, 2),
      new AdaptiveAvgPool2d(),
      new Flatten(),
      new Linear(16, 5)
    ),
  bnMlp: () => bnMlp([5, 8, 8, 3])
};

/** max |a − b| / max |b| (float64 on the host). */
function relativeError(actual: ArrayLike<number>, expected: number[]): number {
  let diff = 0;
  let scale = 0;
  expected.forEach((e, i) => {
    diff = Math.max(diff, Math.abs(actual[i] - e));
    scale = Math.max(scale, Math.abs(e));
  });
  return scale === 0 ? diff : diff / scale;
}

const RUNS: Array<[string, boolean]> = [
  ['cpu', true],
  ['wasm', true],
  ...(nativeBackendInstalled()
    ? ([
        ['tensorflow', true],
        ['tensorflow', false]
      ] as Array<[string, boolean]>)
    : [])
];

describe.each(RUNS)('one training step against PyTorch (float64) on %s (native kernels: %s)', (backend, native) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
    ensureConv2dFilterGradient(backend);
    useNativeKernels(native);
  });
  afterAll(async () => {
    useNativeKernels(true);
    await tf.setBackend('cpu');
  });

  for (const c of cases) {
    it(`${c.name}: loss, every gradient and the running statistics`, () => {
      const model = BUILDERS[c.name]();
      const byName = new Map([...model.namedParameters(), ...model.namedBuffers()]);
      for (const p of c.params) {
        const variable = byName.get(p.name);
        expect(variable, p.name).toBeDefined();
        expect(variable!.shape).toEqual(p.shape);
        variable!.assign(tf.tensor(p.values, p.shape));
      }
      const before = tf.memory().numTensors;
      const x = tf.tensor(c.input, c.inputShape);
      const labels = tf.tidy(() => tf.oneHot(tf.tensor1d(c.labels, 'int32'), c.numClasses));
      const { value, grads } = tf.variableGrads(
        () => tf.losses.softmaxCrossEntropy(labels, model.call(x)) as tf.Scalar
      );
      expect(Math.abs(value.dataSync()[0] - c.loss)).toBeLessThan(1e-5 * c.loss);
      const names = new Map(model.namedParameters().map(([name, v]) => [v.name, name]));
      const errors: Record<string, number> = {};
      for (const [id, grad] of Object.entries(grads))
        errors[names.get(id)!] = relativeError(grad.dataSync(), c.grads.find((g) => g.name === names.get(id))!.values);
      expect(Object.keys(errors).sort()).toEqual(c.grads.map((g) => g.name).sort());
      // PyTorch's own float32 gradients are within ~2e-6 of float64 here.
      for (const [name, error] of Object.entries(errors))
        expect(error, `${name}: relative error ${error.toExponential(2)}`).toBeLessThan(5e-5);
      for (const b of c.buffersAfter)
        expect(relativeError(byName.get(b.name)!.dataSync(), b.values), b.name).toBeLessThan(1e-5);
      tf.dispose([value, x, labels, ...Object.values(grads)]);
      expect(tf.memory().numTensors).toBe(before);
      model.dispose();
    });
  }
});
