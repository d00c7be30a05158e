import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { nn, paramModelFromModule } from '@paramscope/core';
import { DECAY_ARMS, decayArmGroups, paramRole } from './decay-arms';

const { bnCnn, manualSeed } = nn;

let traced: ReturnType<typeof paramModelFromModule>;
let untraced: ReturnType<typeof paramModelFromModule>;

beforeAll(async () => {
  await tf.setBackend('cpu');
  manualSeed(1);
  const net = bnCnn({ inChannels: 1, channels: [4, 8], numClasses: 3 });
  manualSeed(null);
  const sample = tf.zeros([2, 8, 8, 1]);
  traced = paramModelFromModule(net, { sampleInput: sample });
  untraced = paramModelFromModule(net);
  sample.dispose();
});

const names = (groups: ReturnType<typeof decayArmGroups>, label: string) =>
  groups.find((g) => g.label === label)?.params.map((p) => p.name) ?? [];

describe('decay arms', () => {
  it('sorts the BN CNN’s parameters into roles by structure', () => {
    expect(Object.fromEntries(traced.params.map((p) => [p.name, paramRole(p)]))).toEqual({
      '0.weight': 'bn-fed-weight',
      '1.weight': 'norm-affine',
      '1.bias': 'norm-affine',
      '3.weight': 'bn-fed-weight',
      '4.weight': 'norm-affine',
      '4.bias': 'norm-affine',
      '8.weight': 'other-weight',
      '8.bias': 'bias'
    });
  });

  it('each arm puts exactly the intended parameters in the decay group', () => {
    const all = traced.params.map((p) => p.name);
    expect(names(decayArmGroups(traced, 'decay-all', 1e-3), 'decay')).toEqual(all);
    expect(names(decayArmGroups(traced, 'no-decay-norm-bias', 1e-3), 'decay')).toEqual([
      '0.weight',
      '3.weight',
      '8.weight'
    ]);
    expect(names(decayArmGroups(traced, 'no-decay-bn-fed', 1e-3), 'no_decay')).toEqual(['0.weight', '3.weight']);
    expect(names(decayArmGroups(traced, 'section5-recipe', 1e-3), 'decay')).toEqual(['8.weight']);
    const none = decayArmGroups(traced, 'no-decay', 1e-3);
    expect(none).toHaveLength(1);
    expect(none[0]).toMatchObject({ label: 'no_decay', weightDecay: 0 });
    for (const arm of DECAY_ARMS) {
      const groups = decayArmGroups(traced, arm, 5e-4);
      expect(groups.flatMap((g) => g.params.map((p) => p.name)).sort()).toEqual([...all].sort());
      expect(groups.find((g) => g.label === 'decay')?.weightDecay ?? 5e-4).toBe(5e-4);
      for (const g of groups)
        expect(Object.keys(g.reasons as object).sort()).toEqual(g.params.map((p) => p.name).sort());
    }
  });

  it('refuses a model without a traced graph, a bad λ and an unknown arm', () => {
    expect(() => decayArmGroups(untraced, 'decay-all', 1e-3)).toThrow(/'0.weight' has no feedsNormalization flag/);
    expect(() => decayArmGroups(traced, 'decay-all', -1)).toThrow(/weightDecay must be a finite number ≥ 0, got -1/);
    expect(() => decayArmGroups(traced, 'decay-some' as never, 1e-3)).toThrow(/unknown decay arm 'decay-some'/);
  });
});
