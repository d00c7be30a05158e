import { nn, toParamModel } from '@paramscope/core';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { useBestBackend } from '../backend';
import { buildEntry, NORM_STACK_CHUNK, weightNorms, type NormReading } from './entry';
import type { TensorLike } from './describe';

/** Each tensor's own `norm()`, read one at a time: what snapshots showed before batching. */
function ownNorms(tensors: readonly tf.Tensor[]): number[] {
  return tensors.map((t) => tf.tidy(() => t.norm().dataSync()[0]));
}

describe('weightNorms on the cpu backend', () => {
  let resnet: nn.Module;
  let weights: tf.Variable[];
  beforeAll(async () => {
    await useBestBackend(['cpu']);
    resnet = nn.resnet18({ numClasses: 10 });
    weights = toParamModel(resnet).params.map((p) => p.variable as tf.Variable);
  });
  afterAll(() => resnet.dispose());

  it("reads ResNet-18's 62 weight norms in one batch, identical to one norm() per tensor, and leaks no tensor", () => {
    const before = tf.memory().numTensors;
    const batched = weightNorms(weights);
    expect(tf.memory().numTensors).toBe(before);
    expect(batched).toEqual(ownNorms(weights));
    expect(weightNorms(weights, 'one-by-one')).toEqual(batched);
  });

  it('keeps order and meaning of all members: scalars, non-finite values, repeats, descriptions, tensor-likes', () => {
    const scalar = tf.scalar(-3.5);
    const infinite = tf.tensor1d([1, Infinity]);
    const nan = tf.tensor2d([[1, NaN]]);
    const description: TensorLike = { shape: [2, 2] };
    const fake = { shape: [1], norm: () => ({ dataSync: () => [0.25], dispose: () => undefined }) };
    const members = [weights[0], scalar, infinite, description, nan, weights[0], fake, undefined, weights[5]];
    const batched = weightNorms(members);
    expect(batched).toEqual([
      ownNorms([weights[0]])[0],
      3.5,
      null,
      undefined,
      null,
      ownNorms([weights[0]])[0],
      0.25,
      undefined,
      ownNorms([weights[5]])[0]
    ]);
    expect(weightNorms(members, 'one-by-one')).toEqual(batched);
    tf.dispose([scalar, infinite, nan]);
  });

  it('stacks more tensors than one chunk holds (10,000 small tensors) without changing a value', () => {
    const many = Array.from({ length: 10_000 }, (_, k) => tf.randomNormal(k % 2 ? [16] : [16, 16], 0, 1, 'float32', k));
    expect(many.length).toBeGreaterThan(2 * NORM_STACK_CHUNK);
    const before = tf.memory().numTensors;
    expect(weightNorms(many)).toEqual(ownNorms(many));
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose(many);
  });

  it('fails on a disposed tensor, as norm() does, and leaves no tensor behind', () => {
    const gone = tf.tensor1d([1, 2]);
    gone.dispose();
    const before = tf.memory().numTensors;
    for (const reading of ['batched', 'one-by-one'] as NormReading[]) {
      expect(() => weightNorms([weights[1], gone], reading)).toThrow();
    }
    expect(tf.memory().numTensors).toBe(before);
  });

  it('gives snapshot entries the same ‖W‖ and η/‖W‖² either way', () => {
    const model = toParamModel(resnet);
    const target = [
      { params: model.params.filter((p) => p.moduleKind !== 'BatchNorm2d'), lr: 0.1, weightDecay: 1e-4 },
      { params: model.params.filter((p) => p.moduleKind === 'BatchNorm2d'), lr: 0.1, weightDecay: 0 }
    ];
    const context = { id: 'entry-1', label: 'resnet18', target, model, findings: [] };
    const batched = buildEntry(context);
    expect(batched.groups[0].params.every((p) => typeof p.weightNorm === 'number')).toBe(true);
    expect(batched).toEqual(buildEntry(context, 'one-by-one'));
  });
});

describe('weightNorms on the wasm backend', () => {
  it("agrees with one norm() per tensor to float32 precision (wasm's pow may round x² off by an ulp)", async () => {
    await useBestBackend(['wasm']);
    const resnet = nn.resnet18({ numClasses: 10 });
    const weights = toParamModel(resnet).params.map((p) => p.variable as tf.Variable);
    const own = ownNorms(weights);
    weightNorms(weights).forEach((norm, k) =>
      expect(Math.abs((norm as number) - own[k])).toBeLessThanOrEqual(2 ** -22 * own[k])
    );
    resnet.dispose();
    await useBestBackend(['cpu']);
  });
});
