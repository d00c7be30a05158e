import { describe, expect, it } from 'vitest';
import { fitPowerLaw, meanGradientRadialShare, sgdNormBalance } from './norm-balance';

describe('sgdNormBalance', () => {
  it('closes to 1 on a scalar norm recursion held up by noise alone', () => {
    // x_{t+1} = (1−ηλ)²x + η²q with a tangential gradient of squared norm q: stationary at x* = η q/(λ(2−ηλ)).
    const [lr, wd, q] = [0.1, 0.05, 2];
    const x = (lr * q) / (wd * (2 - lr * wd));
    const balance = sgdNormBalance([{ squaredNorm: x, radial: 0, gradientSquaredNorm: q }], lr, wd);
    expect(balance.closure).toBeCloseTo(1, 12);
    expect(balance.radial).toBeCloseTo(0, 15);
    expect(balance.G).toBeCloseTo(x * q, 12);
  });

  it('counts an inward-pointing mean gradient (negative ⟨θ, g⟩) as holding the norm up', () => {
    const balance = sgdNormBalance([{ squaredNorm: 4, radial: -0.2, gradientSquaredNorm: 0 }], 0.01, 0.05);
    expect(balance.radial).toBeCloseTo(0.2 * (1 - 0.0005), 12);
    expect(balance.noise).toBe(0);
    expect(balance.closure).toBeCloseTo((0.2 * 0.9995) / (0.05 * (1 - 0.00025) * 4), 12);
  });

  it('names bad arguments', () => {
    expect(() => sgdNormBalance([], 0.1, 0.1)).toThrow(/no samples/);
    expect(() => sgdNormBalance([{ squaredNorm: 1, radial: 0, gradientSquaredNorm: 1 }], 0.1, 0)).toThrow(
      /weightDecay/
    );
    expect(() => sgdNormBalance([{ squaredNorm: 1, radial: 0, gradientSquaredNorm: 1 }], 10, 0.1)).toThrow(/below 1/);
  });
});

describe('fitPowerLaw', () => {
  it('recovers an exact power law and reports the residual of a perturbed point', () => {
    const xs = [0.5, 1, 2, 8];
    const exact = fitPowerLaw(
      xs,
      xs.map((x) => 3 * x ** 0.25)
    );
    expect(exact.exponent).toBeCloseTo(0.25, 12);
    expect(exact.prefactor).toBeCloseTo(3, 12);
    expect(exact.maxRelativeResidual).toBeLessThan(1e-12);
    expect(fitPowerLaw(xs, [1, 1, 1, 2]).maxRelativeResidual).toBeGreaterThan(0.1);
  });

  it('names bad arguments', () => {
    expect(() => fitPowerLaw([1], [1])).toThrow(/two or more/);
    expect(() => fitPowerLaw([1, -1], [1, 1])).toThrow(/positive/);
    expect(() => fitPowerLaw([2, 2], [1, 3])).toThrow(/same/);
  });
});

describe('meanGradientRadialShare', () => {
  it('is 1 at a stationary point of L + (λ/2)‖θ‖² and 0 for a tangential gradient', () => {
    expect(meanGradientRadialShare([0.5, -1], [-0.05, 0.1], 0.1)).toBeCloseTo(1, 12);
    expect(meanGradientRadialShare([1, 1], [0.3, -0.3], 0.1)).toBeCloseTo(0, 12);
    expect(() => meanGradientRadialShare([0, 0], [1, 1], 0.1)).toThrow(/zero/);
    expect(() => meanGradientRadialShare([1], [1, 2], 0.1)).toThrow(/lengths/);
  });
});
