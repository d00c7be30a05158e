/**
 * Closed forms for how far batch normalization is from exact scale invariance (derivation D2).
 * With W' = cW the pre-activations scale by c, and BN computes (cz − cμ)/√(c²σ² + ε): the ε in the
 * denominator is the only thing that does not scale.
 */
import { requireNonNegative, requirePositive } from '../checks';

/**
 * Relative deviation of BN's normalized output when the incoming weights are scaled by `c`:
 * δ(c) = 1 − (1 + ε/(c²σ²))^(−1/2), for a channel with batch variance `variance` (σ²).
 * δ → 0 as c grows: the larger the weights, the closer BN is to exactly invariant.
 */
export function batchNormScaleDeviation(c: number, variance: number, eps: number): number {
  requirePositive('c', Math.abs(c));
  requirePositive('variance', variance);
  requireNonNegative('eps', eps);
  const ratio = eps / (c * c * variance);
  // −expm1(−½·log1p(x)) = 1 − (1+x)^(−½), without cancellation when x is tiny.
  return -Math.expm1(-0.5 * Math.log1p(ratio));
}

/** The first-order bound δ(c) ≤ ε/(2c²σ²). */
export function batchNormScaleDeviationBound(c: number, variance: number, eps: number): number {
  requirePositive('c', Math.abs(c));
  requirePositive('variance', variance);
  requireNonNegative('eps', eps);
  return eps / (2 * c * c * variance);
}
