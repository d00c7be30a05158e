import { describe, expect, it } from 'vitest';
import {
  documentEffectiveLearningRate,
  liAroraLearningRate,
  liAroraWeightScale,
  naturalEffectiveLearningRate,
  stationarityResidual
} from './learning-rate';

describe('documentEffectiveLearningRate', () => {
  it('is η·g/(g+λγ), shrinking when λγ dominates and infinite at stationarity', () => {
    expect(documentEffectiveLearningRate(0.1, 0.01, 0.1, 0.9)).toBeCloseTo((0.1 * 0.01) / 0.1, 12);
    expect(documentEffectiveLearningRate(0.1, -0.05, 0.1, 0.5)).toBe(Number.NEGATIVE_INFINITY);
    expect(documentEffectiveLearningRate(0.1, 0, 0.1, 0)).toBeNaN();
  });
});

describe('naturalEffectiveLearningRate', () => {
  it('is the rate that turns the data gradient into the step taken: −η_eff·g = −η(g + λγ)', () => {
    const [lr, g, wd, gamma] = [0.1, 0.02, 0.05, 0.3];
    const natural = naturalEffectiveLearningRate(lr, g, wd, gamma);
    expect(-natural * g).toBeCloseTo(-lr * (g + wd * gamma), 15);
    expect(natural * documentEffectiveLearningRate(lr, g, wd, gamma)).toBeCloseTo(lr * lr, 15);
  });

  it("is 0 at the stationary point, where the document's is singular", () => {
    expect(naturalEffectiveLearningRate(0.1, -0.05, 0.1, 0.5)).toBeCloseTo(0, 15);
    expect(naturalEffectiveLearningRate(0.1, 0, 0.1, 0.5)).toBe(Number.POSITIVE_INFINITY);
    expect(naturalEffectiveLearningRate(0.1, 0, 0.1, 0)).toBeNaN();
  });
});

describe('Li & Arora schedule', () => {
  it('turns one decayed GD step into one undecayed step: (1−ηλ)^(t+1)·(W̃ − η̃∇L(W̃)) equals (1−ηλ)W − η∇L(W)', () => {
    // On the scale-invariant 1-D "loss" with ∇L(w) = k/w (gradient ∝ 1/‖w‖): check the algebra.
    const [lr, wd, k] = [0.1, 0.05, 0.3];
    let w = 2;
    let wTilde = 2;
    for (let t = 0; t < 50; t++) {
      w = (1 - lr * wd) * w - (lr * k) / w;
      wTilde = wTilde - (liAroraLearningRate(lr, wd, t) * k) / wTilde;
      expect(liAroraWeightScale(lr, wd, t + 1) * wTilde).toBeCloseTo(w, 10);
    }
  });

  it('names bad arguments', () => {
    expect(() => liAroraLearningRate(0.1, 0.1, -1)).toThrow(/step must be a non-negative integer/);
    expect(() => liAroraWeightScale(-0.1, 0.1, 1)).toThrow(/lr must be a positive/);
  });
});

describe('stationarityResidual', () => {
  it('is 0 at λγ + g = 0 and grows with the imbalance', () => {
    expect(stationarityResidual([1, 2], [-0.1, -0.2], 0.1)).toBeCloseTo(0, 12);
    expect(stationarityResidual([1, 2], [0, 0], 0.1)).toBeCloseTo(1, 12);
    expect(() => stationarityResidual([1], [1, 2], 0.1)).toThrow(/equal, non-empty/);
    expect(() => stationarityResidual([0], [1], 0.1)).toThrow(/every value is zero/);
  });
});
