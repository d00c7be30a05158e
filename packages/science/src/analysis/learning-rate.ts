/**
 * Learning-rate views of weight decay (derivations D8, D12): the document's "effective learning
 * rate" of γ and Li & Arora's equivalence between decay and an exponentially growing schedule.
 */
import { describeValue } from '@paramscope/protocol';
import { requireNonNegative, requirePairedGradients, requirePositive } from '../checks';
import { ScienceError } from '../errors';

function requireDecayStep(lr: number, weightDecay: number): void {
  requirePositive('lr', lr);
  requireNonNegative('weightDecay', weightDecay);
  if (lr * weightDecay >= 1) throw new ScienceError(`lr·weightDecay must be below 1, got ${lr * weightDecay}`);
}

/**
 * The document's η_eff = η·g/(g + λγ) for a parameter γ with gradient g. It is infinite where
 * g + λγ = 0, the stationary point decay drives γ to.
 */
export function documentEffectiveLearningRate(
  lr: number,
  gradient: number,
  weightDecay: number,
  value: number
): number {
  requireDecayStep(lr, weightDecay);
  const total = gradient + weightDecay * value;
  if (total === 0) return gradient === 0 ? Number.NaN : Math.sign(gradient) * Number.POSITIVE_INFINITY;
  return (lr * gradient) / total;
}

/**
 * The effective learning rate by its natural definition: the rate that, applied to the data
 * gradient alone, gives the step decay actually takes, Δγ = −η(g + λγ) = −η_eff·g, so
 * η_eff = η·(g + λγ)/g, the reciprocal (times η²) of {@link documentEffectiveLearningRate}. It is
 * 0 at the stationary point g + λγ = 0, where the step vanishes, and singular only where g = 0.
 */
export function naturalEffectiveLearningRate(lr: number, gradient: number, weightDecay: number, value: number): number {
  requireDecayStep(lr, weightDecay);
  const total = gradient + weightDecay * value;
  if (gradient === 0) return total === 0 ? Number.NaN : Math.sign(total) * Number.POSITIVE_INFINITY;
  return (lr * total) / gradient;
}

/**
 * Li & Arora 2020: GD with decay (η, λ) on a scale-invariant loss gives the same directions as GD
 * without decay at η̃_t = η(1 − ηλ)^(−2t−1), for step t = 0, 1, …
 */
export function liAroraLearningRate(lr: number, weightDecay: number, step: number): number {
  requireDecayStep(lr, weightDecay);
  if (!Number.isInteger(step) || step < 0)
    throw new ScienceError(`step must be a non-negative integer, got ${describeValue(step)}`);
  return lr * (1 - lr * weightDecay) ** (-2 * step - 1);
}

/** The factor relating the two runs of {@link liAroraLearningRate}: W_t = (1 − ηλ)^t · W̃_t. */
export function liAroraWeightScale(lr: number, weightDecay: number, step: number): number {
  requireDecayStep(lr, weightDecay);
  if (!Number.isInteger(step) || step < 0)
    throw new ScienceError(`step must be a non-negative integer, got ${describeValue(step)}`);
  return (1 - lr * weightDecay) ** step;
}

/**
 * How far (γ, g) is from the stationary point of L + (λ/2)γ² (derivation D6):
 * ‖λγ + g‖/‖λγ‖ over all entries, with g the mean gradient.
 */
export function stationarityResidual(
  values: readonly number[],
  meanGradients: readonly number[],
  weightDecay: number
): number {
  requirePairedGradients('stationarityResidual', values, meanGradients);
  requirePositive('weightDecay', weightDecay);
  let residual = 0;
  let reference = 0;
  values.forEach((value, i) => {
    residual += (weightDecay * value + meanGradients[i]) ** 2;
    reference += (weightDecay * value) ** 2;
  });
  if (reference === 0) throw new ScienceError('stationarityResidual: every value is zero');
  return Math.sqrt(residual / reference);
}
