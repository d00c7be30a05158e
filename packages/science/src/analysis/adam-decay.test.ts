import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { coupledEffectiveDecay, runAdamDecayExperiment } from './adam-decay';
import { createTeacherDataset } from './teacher-data';

describe('coupledEffectiveDecay', () => {
  const hyperparameters = { weightDecay: 0.1, beta2: 0.999, eps: 1e-8 };

  it('divides λ by √v̂ + ε with v̂ = expAvgSq/(1 − β₂ᵗ), and weights by w² for the norm', () => {
    const step = 10;
    const correction = 1 - 0.999 ** step;
    // v̂ = 4 and 1/4 for the two elements: λ/(√v̂ + ε) = 0.05 and 0.2 (ε is below float rounding here).
    const decay = coupledEffectiveDecay([3, 1], [4 * correction, 0.25 * correction], step, hyperparameters);
    expect(decay.mean).toBeCloseTo((0.05 + 0.2) / 2, 6);
    expect(decay.rms).toBeCloseTo(Math.sqrt((0.05 ** 2 + 0.2 ** 2) / 2), 6);
    expect(decay.normWeighted).toBeCloseTo((9 * 0.05 + 1 * 0.2) / 10, 6);
  });

  it('is capped at λ/ε where v̂ = 0', () => {
    expect(coupledEffectiveDecay([1], [0], 1, hyperparameters).mean).toBeCloseTo(0.1 / 1e-8, -2);
  });

  it('refuses mismatched lengths and a step below 1', () => {
    expect(() => coupledEffectiveDecay([1, 2], [1], 1, hyperparameters)).toThrow(/one second moment per weight/);
    expect(() => coupledEffectiveDecay([1], [1], 0, hyperparameters)).toThrow(/step/);
  });
});

describe('runAdamDecayExperiment', () => {
  const data = createTeacherDataset({ samples: 64, features: 6, classes: 3, seed: 1 });
  const base = { data, widths: [6, 8, 8, 3], seed: 2, lr: 0.01, weightDecay: 0.1, steps: 30, batchSize: 32 };

  it('traces each decayed tensor and its rows; AdamW decays by λ, Adam + L2 by λ/√v̂; frees its tensors', () => {
    runAdamDecayExperiment({ ...base, steps: 2, kind: 'adamw', decayed: [] }); // warm up kernels before counting
    const before = tf.memory().numTensors;
    const decoupled = runAdamDecayExperiment({ ...base, kind: 'adamw', decayed: ['3.weight'], recordEvery: 10 });
    const coupled = runAdamDecayExperiment({ ...base, kind: 'adam-l2', decayed: ['3.weight'], recordEvery: 10 });
    expect(tf.memory().numTensors).toBe(before);
    expect(coupled.steps).toEqual([0, 10, 20, 29]);
    const trace = coupled.traces['3.weight'];
    expect([trace.elements, trace.rows]).toEqual([64, 8]);
    expect(trace.norms).toHaveLength(30);
    expect(trace.rowAngularSteps[0]).toHaveLength(8);
    expect(trace.rowEffectiveDecay).toHaveLength(4);
    expect(decoupled.traces['3.weight'].effectiveDecay.normWeighted).toEqual([0.1, 0.1, 0.1, 0.1]);
    // Gradients of a BN-fed weight are far below 1 per element, so λ/√v̂ ≫ λ.
    expect(Math.min(...trace.effectiveDecay.normWeighted)).toBeGreaterThan(1);
    // ‖W‖² is the sum of the rows' squared norms.
    const last = trace.rowNorms[29].reduce((s, n) => s + n * n, 0);
    expect(Math.sqrt(last)).toBeCloseTo(trace.norms[29], 5);
  });

  it('scales the decayed weights at initialisation: the same function, ‖W‖ times the factor', () => {
    const run = (initialScale: number) =>
      runAdamDecayExperiment({ ...base, steps: 1, kind: 'adamw', weightDecay: 0, decayed: ['3.weight'], initialScale });
    const [plain, scaled] = [run(1), run(4)];
    expect(scaled.losses[0]).toBeCloseTo(plain.losses[0], 4);
    // After one Adam step of size ≈ η per element the norms differ by at most η·√C.
    const gap = scaled.traces['3.weight'].norms[0] - 4 * plain.traces['3.weight'].norms[0];
    expect(Math.abs(gap)).toBeLessThan(5 * 0.01 * 8);
  });

  it('names an unknown parameter', () => {
    expect(() => runAdamDecayExperiment({ ...base, kind: 'adamw', decayed: ['9.weight'] })).toThrow(/9\.weight/);
  });
});
