/**
 * What holds the norm of a decayed parameter set θ where it is under SGD (derivations D6, D16, D17).
 * One step θ ← (1 − ηλ)θ − ηg changes x = ‖θ‖² by
 *
 *   x_{t+1} − x_t = −ηλ(2 − ηλ)x_t − 2η(1 − ηλ)⟨θ_t, g_t⟩ + η²‖g_t‖²,
 *
 * so where x is stationary on average, λ(1 − ηλ/2)·x = −(1 − ηλ)⟨θ, g⟩ + (η/2)‖g‖²: decay is
 * balanced by the radial part of the gradient (the only force at a true stationary point) and by
 * gradient noise (which vanishes as η → 0). For a scale-invariant θ the radial part is 0 up to BN's
 * ε, so only noise can hold the norm up: ‖θ*‖⁴ = ηG/(λ(2 − ηλ)), G = ‖θ‖²‖g‖² (D11).
 */
import { requirePairedGradients, requirePositive } from '../checks';
import { ScienceError } from '../errors';

/** One step of one parameter set, taken before the update. */
export interface NormBalanceSample {
  /** ‖θ_t‖². */
  squaredNorm: number;
  /** ⟨θ_t, g_t⟩, with g_t the mini-batch gradient of the data loss (without decay). */
  radial: number;
  /** ‖g_t‖². */
  gradientSquaredNorm: number;
}

/** The three terms of the balance, averaged over the samples, and what they imply. */
export interface NormBalance {
  /** λ(1 − ηλ/2)·E[x]: what decay removes per unit step. */
  decay: number;
  /** −(1 − ηλ)·E⟨θ, g⟩: what the radial gradient adds back (BN's ε for a scale-invariant θ). */
  radial: number;
  /** (η/2)·E‖g‖²: what gradient noise adds back. */
  noise: number;
  /** (radial + noise)/decay: 1 where the norm is stationary on average. */
  closure: number;
  /** G = E[‖θ‖²‖g‖²], the quantity of the noise equilibrium. */
  G: number;
  /** E[‖θ‖²]. */
  meanSquaredNorm: number;
}

/** Averages the balance over `samples` (a window where the norm is expected to be stationary). */
export function sgdNormBalance(samples: readonly NormBalanceSample[], lr: number, weightDecay: number): NormBalance {
  if (samples.length === 0) throw new ScienceError('sgdNormBalance: no samples');
  requirePositive('lr', lr);
  requirePositive('weightDecay', weightDecay);
  if (lr * weightDecay >= 1) {
    throw new ScienceError(`sgdNormBalance: lr·weightDecay must be below 1, got ${lr * weightDecay}`);
  }
  const mean = (f: (s: NormBalanceSample) => number) => samples.reduce((sum, s) => sum + f(s), 0) / samples.length;
  const meanSquaredNorm = mean((s) => s.squaredNorm);
  const decay = weightDecay * (1 - (lr * weightDecay) / 2) * meanSquaredNorm;
  const radial = -(1 - lr * weightDecay) * mean((s) => s.radial);
  const noise = (lr / 2) * mean((s) => s.gradientSquaredNorm);
  const G = mean((s) => s.squaredNorm * s.gradientSquaredNorm);
  return { decay, radial, noise, closure: (radial + noise) / decay, G, meanSquaredNorm };
}

/** A least-squares fit y = prefactor·x^exponent on log–log axes. */
export interface PowerLawFit {
  exponent: number;
  prefactor: number;
  /** max |y/fit − 1| over the points. */
  maxRelativeResidual: number;
}

/** Fits y = a·x^b to positive points by least squares on (log x, log y). */
export function fitPowerLaw(xs: readonly number[], ys: readonly number[]): PowerLawFit {
  if (xs.length !== ys.length || xs.length < 2) {
    throw new ScienceError(
      `fitPowerLaw: need two or more (x, y) pairs of equal length, got ${xs.length} and ${ys.length}`
    );
  }
  if (![...xs, ...ys].every((v) => Number.isFinite(v) && v > 0)) {
    throw new ScienceError('fitPowerLaw: every x and y must be positive and finite');
  }
  const lx = xs.map(Math.log);
  const ly = ys.map(Math.log);
  const mx = lx.reduce((a, b) => a + b) / lx.length;
  const my = ly.reduce((a, b) => a + b) / ly.length;
  const sxx = lx.reduce((s, v) => s + (v - mx) ** 2, 0);
  if (sxx === 0) throw new ScienceError('fitPowerLaw: every x is the same');
  const exponent = lx.reduce((s, v, i) => s + (v - mx) * (ly[i] - my), 0) / sxx;
  const prefactor = Math.exp(my - exponent * mx);
  const maxRelativeResidual = Math.max(...xs.map((x, i) => Math.abs(ys[i] / (prefactor * x ** exponent) - 1)));
  return { exponent, prefactor, maxRelativeResidual };
}

/**
 * −⟨θ, E[g]⟩/(λ‖θ‖²): the share of decay's pull on ‖θ‖ that the mean gradient's radial part cancels.
 * 1 at a stationary point of L + (λ/2)‖θ‖²; 0 for a scale-invariant θ, whose gradient is tangential (D16).
 */
export function meanGradientRadialShare(
  values: readonly number[],
  meanGradients: readonly number[],
  weightDecay: number
): number {
  requirePairedGradients('meanGradientRadialShare', values, meanGradients);
  requirePositive('weightDecay', weightDecay);
  const squaredNorm = values.reduce((s, v) => s + v * v, 0);
  if (squaredNorm === 0) throw new ScienceError('meanGradientRadialShare: every value is zero');
  return -values.reduce((s, v, i) => s + v * meanGradients[i], 0) / (weightDecay * squaredNorm);
}
