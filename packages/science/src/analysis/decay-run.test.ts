import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { runDecayExperiment } from './decay-run';
import { createTeacherDataset } from './teacher-data';

describe('runDecayExperiment', () => {
  const data = createTeacherDataset({ samples: 64, features: 6, classes: 3, seed: 1 });
  const base = { data, widths: [6, 8, 8, 3], seed: 2, lr: 0.1, weightDecay: 0.1, steps: 40, batchSize: 32 };

  it('records traces, a radial ratio that vanishes for a weight feeding BN, and the balance; frees its tensors', () => {
    runDecayExperiment({ ...base, steps: 2, decayed: [], tracked: {} }); // warm up kernels before counting
    const before = tf.memory().numTensors;
    const run = runDecayExperiment({
      ...base,
      decayed: ['3.weight', '4.weight'],
      tracked: { w: ['3.weight'], gamma: ['4.weight'] },
      recordEvery: 10
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(run.steps).toEqual([0, 10, 20, 30, 39]);
    expect(run.norms.w).toHaveLength(5);
    // 3.weight feeds a BN (no bias): its gradient is tangential up to ε = 1e-5.
    expect(run.maxRadialRatio.w).toBeLessThan(1e-3);
    // γ₂ feeds ReLU → classifier: not scale-invariant, its gradient has a radial part.
    expect(run.maxRadialRatio.gamma).toBeGreaterThan(1e-2);
    expect(Object.keys(run.balance).sort()).toEqual(['gamma', 'w']);
    expect(run.meanGradients['4.weight']).toHaveLength(8);
    expect(run.finalValues['6.bias']).toHaveLength(3);
  });

  it('anneals η to 0 with the cosine schedule and then reports no balance', () => {
    const run = runDecayExperiment({
      ...base,
      schedule: 'cosine',
      decayed: ['4.weight'],
      tracked: { gamma: ['4.weight'] },
      recordEvery: 13
    });
    expect(run.lrs[0]).toBeCloseTo(0.1, 6);
    expect(run.lrs[run.lrs.length - 1]).toBeLessThan(1e-3);
    expect(run.balance).toEqual({});
  });

  it('names an unknown parameter', () => {
    expect(() => runDecayExperiment({ ...base, decayed: ['9.weight'], tracked: {} })).toThrow(/9\.weight/);
  });
});
