/**
 * How the norm of a scale-invariant weight evolves under SGD (derivations D9, D10, D11) and the
 * equilibria of SGD, SGD with momentum and AdamW. G = ‖W‖²‖∇L(W)‖² is the quantity that stays put
 * while ‖W‖ moves, because ‖∇L‖ scales like 1/‖W‖.
 */
import { describeValue } from '@paramscope/protocol';
import { requireNonNegative, requirePositive } from '../checks';
import { ScienceError } from '../errors';

function requireDecayStep(lr: number, weightDecay: number): void {
  requirePositive('lr', lr);
  requireNonNegative('weightDecay', weightDecay);
  if (lr * weightDecay >= 1)
    throw new ScienceError(
      `lr·weightDecay must be below 1 (the decay factor 1 − ηλ must stay positive), got ${lr * weightDecay}`
    );
}

/** One SGD step's norm, exact when the gradient is orthogonal to W: ‖W_{t+1}‖² = (1−ηλ)²‖W_t‖² + η²‖∇L‖². */
export function nextSquaredNormSgd(
  squaredNorm: number,
  gradientSquaredNorm: number,
  lr: number,
  weightDecay: number
): number {
  requireNonNegative('squaredNorm', squaredNorm);
  requireNonNegative('gradientSquaredNorm', gradientSquaredNorm);
  requireDecayStep(lr, weightDecay);
  return (1 - lr * weightDecay) ** 2 * squaredNorm + lr * lr * gradientSquaredNorm;
}

/**
 * ‖W_t‖² without decay: x_{t+1} = x_t + η²G/x_t grows like √(‖W₀‖⁴ + 2η²Gt) (the x⁻² term of
 * x_{t+1}² = x_t² + 2η²G + η⁴G²/x_t² is dropped).
 */
export function squaredNormWithoutDecay(initialSquaredNorm: number, lr: number, G: number, steps: number): number {
  requirePositive('initialSquaredNorm', initialSquaredNorm);
  requirePositive('lr', lr);
  requireNonNegative('G', G);
  requireNonNegative('steps', steps);
  return Math.sqrt(initialSquaredNorm ** 2 + 2 * lr * lr * G * steps);
}

/** η/‖W‖²: the step size the direction of a scale-invariant W actually sees. */
export function effectiveLearningRate(lr: number, squaredNorm: number): number {
  requirePositive('lr', lr);
  requirePositive('squaredNorm', squaredNorm);
  return lr / squaredNorm;
}

/** The predicted equilibrium of a scale-invariant weight. */
export interface Equilibrium {
  /** Angle between W_t and W_{t+1} per update, in radians. */
  angularStep: number;
  /** ‖W*‖. */
  norm: number;
  /** Steps for a deviation of ‖W‖² from equilibrium to shrink by e (SGD without momentum only). */
  relaxationSteps?: number;
}

/**
 * SGD (PyTorch convention: buffer = α·buffer + ∇L + λW, W −= η·buffer) on a scale-invariant W
 * with G = ‖W‖²‖∇L‖². Without momentum: cos θ* = 1 − ηλ, ‖W*‖⁴ = ηG/(λ(2 − ηλ)), relaxation
 * 1/(4ηλ); with momentum α (Wan et al. 2021, Spherical Motion Dynamics): θ* ≈ √(2ηλ/(1+α)),
 * ‖W*‖⁴ = ηG/(λ(1−α)(2 − ηλ/(1+α))).
 */
export function sgdEquilibrium(lr: number, weightDecay: number, G: number, momentum = 0): Equilibrium {
  requireDecayStep(lr, weightDecay);
  requirePositive('weightDecay', weightDecay);
  requirePositive('G', G);
  if (!(momentum >= 0 && momentum < 1))
    throw new ScienceError(`momentum must be in [0, 1), got ${describeValue(momentum)}`);
  const decayStep = lr * weightDecay;
  if (momentum === 0) {
    return {
      angularStep: Math.acos(1 - decayStep),
      norm: ((lr * G) / (weightDecay * (2 - decayStep))) ** 0.25,
      relaxationSteps: 1 / (4 * decayStep)
    };
  }
  return {
    angularStep: Math.sqrt((2 * decayStep) / (1 + momentum)),
    norm: ((lr * G) / (weightDecay * (1 - momentum) * (2 - decayStep / (1 + momentum)))) ** 0.25
  };
}

/**
 * AdamW (decoupled decay, W ← (1−ηλ)W − η·m̂/(√v̂+ε)) on a scale-invariant W with C elements
 * (Kosson, Messmer, Jaggi 2024, Rotational Equilibrium): θ* = √(2ηλ(1−β₁)/(1+β₁)), ‖W*‖ = √(ηC/(2λ)).
 */
export function adamwEquilibrium(lr: number, weightDecay: number, beta1: number, elements: number): Equilibrium {
  requireDecayStep(lr, weightDecay);
  requirePositive('weightDecay', weightDecay);
  if (!(beta1 >= 0 && beta1 < 1)) throw new ScienceError(`beta1 must be in [0, 1), got ${describeValue(beta1)}`);
  if (!Number.isInteger(elements) || elements < 1)
    throw new ScienceError(`elements must be a positive integer, got ${describeValue(elements)}`);
  return {
    angularStep: Math.sqrt((2 * lr * weightDecay * (1 - beta1)) / (1 + beta1)),
    norm: Math.sqrt((lr * elements) / (2 * weightDecay))
  };
}

/** Which points {@link relaxationSteps} fits, as fractions of |x*|. */
export interface RelaxationWindow {
  /** Points deviating by less than floor·|x*| are dropped: the tail drowns in noise (default 1e-3). */
  floor?: number;
  /** Points deviating by more than ceiling·|x*| are dropped: the approach is linear only near x* (default ∞). */
  ceiling?: number;
}

/** Fits x_t − x* ∝ exp(−t/τ) by least squares on log|x_t − x*| and returns τ in steps. */
export function relaxationSteps(series: readonly number[], equilibrium: number, window: RelaxationWindow = {}): number {
  const { floor = 1e-3, ceiling = Number.POSITIVE_INFINITY } = window;
  if (!(floor >= 0 && ceiling > floor))
    throw new ScienceError(`relaxationSteps: need 0 ≤ floor < ceiling, got floor ${floor}, ceiling ${ceiling}`);
  const points: Array<[number, number]> = [];
  series.forEach((value, t) => {
    const deviation = Math.abs(value - equilibrium);
    if (deviation > floor * Math.abs(equilibrium) && deviation < ceiling * Math.abs(equilibrium))
      points.push([t, Math.log(deviation)]);
  });
  if (points.length < 3)
    throw new ScienceError(
      `relaxationSteps: only ${points.length} points deviate from the equilibrium by more than the floor; need 3`
    );
  const n = points.length;
  const meanT = points.reduce((s, [t]) => s + t, 0) / n;
  const meanY = points.reduce((s, [, y]) => s + y, 0) / n;
  let covariance = 0;
  let varianceT = 0;
  for (const [t, y] of points) {
    covariance += (t - meanT) * (y - meanY);
    varianceT += (t - meanT) ** 2;
  }
  const slope = covariance / varianceT;
  if (!(slope < 0)) throw new ScienceError(`relaxationSteps: the deviation does not decay (slope ${slope})`);
  return -1 / slope;
}
