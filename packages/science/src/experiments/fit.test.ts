import { describe, expect, it } from 'vitest';
import { linearFit } from './fit';

describe('linearFit', () => {
  it('recovers an exact line with R² = 1 and a power law on log-log axes', () => {
    const fit = linearFit([0, 1, 2, 3], [1, 3, 5, 7]);
    expect(fit.slope).toBeCloseTo(2, 12);
    expect(fit.intercept).toBeCloseTo(1, 12);
    expect(fit.r2).toBeCloseTo(1, 12);
    const t = [10, 20, 40, 80, 160];
    expect(
      linearFit(
        t.map(Math.log),
        t.map((v) => Math.log(3 * v ** -0.5))
      ).slope
    ).toBeCloseTo(-0.5, 10);
  });

  it('R² drops for noisy points', () => {
    expect(linearFit([0, 1, 2, 3], [0, 1, 0, 1]).r2).toBeCloseTo(0.2, 10);
  });

  it('names bad input', () => {
    expect(() => linearFit([1, 2], [1])).toThrow('x has 2 values, y has 1');
    expect(() => linearFit([1], [1])).toThrow('need at least 2 points, got 1');
    expect(() => linearFit([1, 1], [1, 2])).toThrow('all x values are equal');
    expect(() => linearFit([1, NaN], [1, 2])).toThrow('point 1 is not finite');
  });
});
