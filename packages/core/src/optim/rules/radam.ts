/**
 * RAdam as `torch.optim.RAdam` defines it (PyTorch 2.x, single-tensor path), per element, with t
 * the parameter's step count after this step:
 *
 *   g ← ±∇ (− when maximizing)
 *   L2: g ← g + λ·w          decoupled: w ← w·(1 − η·λ) (before the moments)
 *   m ← m + (1 − β₁)·(g − m)             v ← β₂·v + (1 − β₂)·g²
 *   ρ∞ = 2/(1 − β₂) − 1,  ρₜ = ρ∞ − 2t·β₂ᵗ/(1 − β₂ᵗ)
 *   ρₜ > 5:  r = √((ρₜ − 4)(ρₜ − 2)ρ∞ / ((ρ∞ − 4)(ρ∞ − 2)ρₜ)),
 *            w ← w − η·m/(1 − β₁ᵗ) · r·√(1 − β₂ᵗ)/(√v + ε)
 *   else:    w ← w − η·m/(1 − β₁ᵗ)   (the variance is not yet tractable: an SGD-with-momentum step)
 */
import { adamMoments } from './adam-moments';
import { updateStep, type ElementProgram } from './program';
import { defineRule } from './rule';

/** RAdam hyperparameters (camelCase versions of PyTorch's). */
export interface RadamHyperparameters {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the RAdam program. */
export interface RadamScalars {
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  eps: number;
  /** η/(1 − β₁ᵗ). */
  stepSize: number;
  /** r·√(1 − β₂ᵗ), used when rectified. */
  rectifiedScale: number;
  /** λ for the coupled L2 term (0 when decoupled). */
  l2: number;
  /** w's factor before the update: 1 − η·λ when decoupled, else 1. */
  decayFactor: number;
  gradSign: number;
  /** ρₜ > 5: the adaptive, rectified step. */
  rectified: boolean;
}

const radamProgram: ElementProgram<RadamScalars> = {
  name: 'radam',
  optional: { gradSign: 1, l2: 0, decayFactor: 1 },
  switches: ['rectified'],
  exclusive: [['l2', 'decayFactor']], // coupled L2 or decoupled decay
  unroll: 1,
  sumsGradSquares: true,
  body(x) {
    const { w0, w, m, v } = adamMoments(x);
    const momentumStep = x.mul(x.scalar('stepSize'), m);
    const step = x.on('rectified')
      ? x.mul(momentumStep, x.div(x.scalar('rectifiedScale'), x.add(x.sqrt(v), x.scalar('eps'))))
      : momentumStep;
    return updateStep(x, w0, x.sub(w, step), [m, v]);
  }
};

export const radamRule = defineRule<RadamHyperparameters, RadamScalars>({
  id: 'radam',
  slots: () => ['expAvg', 'expAvgSq'],
  countsSteps: true,
  needsNorms: false,
  scalars: (group, step) => {
    const [beta1, beta2] = group.betas;
    const biasCorrection2 = 1 - beta2 ** step;
    const rhoInf = 2 / (1 - beta2) - 1;
    const rho = rhoInf - (2 * step * beta2 ** step) / biasCorrection2;
    const rectification = Math.sqrt(((rho - 4) * (rho - 2) * rhoInf) / ((rhoInf - 4) * (rhoInf - 2) * rho));
    const decoupled = group.decoupledWeightDecay;
    return {
      oneMinusBeta1: 1 - beta1,
      beta2,
      oneMinusBeta2: 1 - beta2,
      eps: group.eps,
      stepSize: group.lr / (1 - beta1 ** step),
      rectifiedScale: rho > 5 ? rectification * Math.sqrt(biasCorrection2) : 0,
      l2: decoupled ? 0 : group.weightDecay,
      decayFactor: decoupled ? Math.fround(1 - group.lr * group.weightDecay) : 1,
      gradSign: group.maximize ? -1 : 1,
      rectified: rho > 5
    };
  },
  programs: [radamProgram]
});
