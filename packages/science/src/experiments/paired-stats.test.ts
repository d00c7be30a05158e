import { describe, expect, it } from 'vitest';
import {
  holmAdjust,
  pairedComparison,
  pairedVarianceComparison,
  sampleStd,
  studentTQuantile,
  studentTTwoSidedP
} from './paired-stats';

// Reference values from SciPy 1.17 (scipy.stats.t, ttest_rel).
describe('Student t', () => {
  it('quantiles and two-sided p-values match SciPy', () => {
    expect(studentTQuantile(0.975, 5)).toBeCloseTo(2.5705818356363146, 9);
    expect(studentTQuantile(0.975, 7)).toBeCloseTo(2.364624251592784, 9);
    expect(studentTQuantile(0.975, 1)).toBeCloseTo(12.706204736174694, 8);
    expect(studentTQuantile(0.025, 3)).toBeCloseTo(-3.1824463052837086, 9);
    expect(studentTTwoSidedP(2, 10)).toBeCloseTo(0.07338803477074037, 12);
    expect(studentTTwoSidedP(0.5, 2.5)).toBeCloseTo(0.6576979198697148, 12);
    expect(studentTTwoSidedP(Infinity, 4)).toBe(0);
    expect(() => studentTQuantile(1, 3)).toThrow('probability must be in (0, 1), got 1');
    expect(() => studentTTwoSidedP(1, 0)).toThrow('degrees of freedom must be positive, got 0');
  });
});

describe('pairedComparison', () => {
  it('matches scipy.stats.ttest_rel and its interval; d_z = mean/sd of the differences', () => {
    const c = pairedComparison([1, 2, 3, 4, 5], [0.5, 1.7, 2.9, 3.2, 4.6]);
    expect(c.n).toBe(5);
    expect(c.meanDifference).toBeCloseTo(0.42, 12);
    expect(c.t).toBeCloseTo(3.6282473874417143, 9);
    expect(c.p).toBeCloseTo(0.022194319889571462, 9);
    expect(c.ci[0]).toBeCloseTo(0.09860324292680112, 9);
    expect(c.ci[1]).toBeCloseTo(0.7413967570731991, 9);
    expect(c.effectSizeDz).toBeCloseTo(1.6226015595011378, 9);
    expect([c.meanA, c.meanB]).toEqual([3, 2.58]);
  });

  it('pairing cancels a shared seed effect an unpaired test would drown in', () => {
    const seedEffect = [0.8, 0.95, 0.85, 0.99, 0.9, 0.82];
    const a = seedEffect.map((v, i) => v + 0.01 + (i % 2 ? 0.001 : -0.001));
    const c = pairedComparison(a, seedEffect);
    expect(c.ci[0]).toBeGreaterThan(0.008);
    expect(c.ci[1]).toBeLessThan(0.012);
  });

  it('handles identical and constant-offset samples; names bad input', () => {
    const same = pairedComparison([1, 2], [1, 2]);
    expect(same).toMatchObject({ meanDifference: 0, t: 0, p: 1, ci: [0, 0], effectSizeDz: 0 });
    expect(pairedComparison([2, 3], [1, 2])).toMatchObject({ t: Infinity, p: 0, effectSizeDz: Infinity });
    expect(() => pairedComparison([1, 2], [1])).toThrow('the samples must pair up, got 2 and 1 values');
    expect(() => pairedComparison([1], [1])).toThrow('need at least 2 pairs, got 1');
    expect(() => pairedComparison([1, NaN], [1, 2])).toThrow('every value must be finite, got NaN');
  });
});

describe('pairedVarianceComparison (Pitman–Morgan)', () => {
  it('matches the correlation test computed with NumPy/SciPy', () => {
    const x = [0.9, 0.95, 0.91, 0.97, 0.85, 0.93];
    const y = [0.92, 0.93, 0.925, 0.94, 0.92, 0.93];
    const c = pairedVarianceComparison(x, y);
    expect(c.r).toBeCloseTo(0.9861285416671669, 10);
    expect(c.t).toBeCloseTo(11.88225278569977, 7);
    expect(c.p).toBeCloseTo(0.00028729147974921476, 9);
    expect(c.sdA).toBeCloseTo(0.042150523919242885, 12);
    expect(c.sdRatio).toBeCloseTo(0.042150523919242885 / 0.007582875444051521, 9);
    expect(pairedVarianceComparison([1, 2, 3], [2, 3, 4])).toMatchObject({ r: 0, p: 1, sdRatio: 1 });
    expect(() => pairedVarianceComparison([1, 2], [1, 2])).toThrow('need at least 3 pairs, got 2');
  });
});

describe('holmAdjust and sampleStd', () => {
  it('Holm step-down, in the given order', () => {
    const adjusted = holmAdjust([0.01, 0.04, 0.03, 0.005]);
    [0.03, 0.06, 0.06, 0.02].forEach((v, i) => expect(adjusted[i]).toBeCloseTo(v, 12));
    expect(() => holmAdjust([0.5, 1.2])).toThrow('p-values must lie in [0, 1], got 1.2');
  });

  it('sampleStd uses n − 1', () => {
    expect(sampleStd([0.9, 0.92, 0.94])).toBeCloseTo(0.02, 12);
    expect(() => sampleStd([1])).toThrow('need at least 2 values, got 1');
  });
});
