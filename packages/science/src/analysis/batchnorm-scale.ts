/**
 * Closed forms for how far batch normalization is from exact scale invariance (derivation D2).
 * With W' = cW the pre-activations scale by c, and BN computes (cz − cμ)/√(c²σ² + ε): the ε in the
 * denominator is the only thing that does not scale.
 */
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

function check(name: string, value: number, positive = true): void {
  if (!Number.isFinite(value) || (positive ? value <= 0 : value < 0)) {
    throw new ScienceError(
      `${name} must be a ${positive ? 'positive' : 'non-negative'} finite number, got ${describeValue(value)}`
    );
  }
}

/**
 * Relative deviation of BN's normalized output when the incoming weights are scaled by `c`:
 * δ(c) = 1 − (1 + ε/(c²σ²))^(−1/2), for a channel with batch variance `variance` (σ²).
 * δ → 0 as c grows: the larger the weights, the closer BN is to exactly invariant.
 */
export function batchNormScaleDeviation(c: number, variance: number, eps: number): number {
  check('c', Math.abs(c));
  check('variance', variance);
  check('eps', eps, false);
  const ratio = eps / (c * c * variance);
  // −expm1(−½·log1p(x)) = 1 − (1+x)^(−½), without cancellation when x is tiny.
  return -Math.expm1(-0.5 * Math.log1p(ratio));
}

/** The first-order bound δ(c) ≤ ε/(2c²σ²). */
export function batchNormScaleDeviationBound(c: number, variance: number, eps: number): number {
  check('c', Math.abs(c));
  check('variance', variance);
  check('eps', eps, false);
  return eps / (2 * c * c * variance);
}
