import { describe, expect, it } from 'vitest';
import { batchNormScaleDeviation, batchNormScaleDeviationBound } from './batchnorm-scale';

describe('batchNormScaleDeviation', () => {
  it('matches the direct formula where it does not cancel', () => {
    const [c, v, eps] = [0.01, 2, 1e-5];
    expect(batchNormScaleDeviation(c, v, eps)).toBeCloseTo(1 - 1 / Math.sqrt(1 + eps / (c * c * v)), 12);
  });

  it('stays below the first-order bound and approaches it for large c', () => {
    for (const c of [1e-3, 1e-1, 1, 10, 1e3]) {
      const d = batchNormScaleDeviation(c, 1, 1e-5);
      const bound = batchNormScaleDeviationBound(c, 1, 1e-5);
      expect(d).toBeLessThanOrEqual(bound);
      if (c >= 1) expect(d / bound).toBeGreaterThan(0.99999);
    }
  });

  it('is exactly zero without epsilon and symmetric in the sign of c', () => {
    expect(batchNormScaleDeviation(3, 1, 0)).toBe(0);
    expect(batchNormScaleDeviation(-0.5, 1, 1e-3)).toBe(batchNormScaleDeviation(0.5, 1, 1e-3));
  });

  it('names the bad argument', () => {
    expect(() => batchNormScaleDeviation(0, 1, 1e-5)).toThrow(/c must be a positive/);
    expect(() => batchNormScaleDeviation(1, -1, 1e-5)).toThrow(/variance/);
    expect(() => batchNormScaleDeviationBound(1, 1, Number.NaN)).toThrow(/eps must be a non-negative/);
  });
});
