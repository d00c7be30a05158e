import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { BatchNorm1d, Linear, ReLU, Sequential, bnMlp } from '../nn';
import { paramModelFromModule } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('paramModelFromModule', () => {
  it('lists a shared tensor once with every name, and records kinds, owners and frozen flags', () => {
    const shared = new Linear(4, 4);
    const net = new Sequential(shared, new ReLU(), shared, new BatchNorm1d(4));
    net.namedParameters()[1][1].trainable = false;
    const model = paramModelFromModule(net, { name: 'tied' });
    expect(model.params.map((p) => [p.name, p.aliases, p.moduleKind, p.modulePath, p.trainable])).toEqual([
      ['0.weight', ['2.weight'], 'Linear', '0', true],
      ['0.bias', ['2.bias'], 'Linear', '0', false],
      ['3.weight', [], 'BatchNorm1d', '3', true],
      ['3.bias', [], 'BatchNorm1d', '3', true]
    ]);
    expect(model.edges).toBeNull();
    expect(model.params[0].feedsNormalization).toBeUndefined();
    net.dispose();
  });

  it('traces which weights feed normalization, and leaks nothing doing so', () => {
    const net = bnMlp([5, 8, 8, 3]);
    const x = tf.zeros([4, 5]);
    const before = tf.memory().numTensors;
    const model = paramModelFromModule(net, { sampleInput: x });
    expect(tf.memory().numTensors).toBe(before);
    expect(model.params.filter((p) => p.feedsNormalization).map((p) => `${p.name}→${p.normalizedBy}`)).toEqual([
      '0.weight→1',
      '3.weight→4'
    ]);
    expect(model.edges).toContainEqual({ from: '6', to: 'output', via: [] });
    expect(net.training).toBe(true);
    net.dispose();
  });
});
