/**
 * NAdam as `torch.optim.NAdam` defines it (PyTorch 2.x, single-tensor path), per element, with t
 * the parameter's step count after this step and ψ the momentum decay:
 *
 *   g ← ±∇ (− when maximizing)
 *   L2: g ← g + λ·w          decoupled: w ← w·(1 − η·λ) (before the moments)
 *   μₜ = β₁·(1 − ½·0.96^(t·ψ)),  Πₜ = Πₜ₋₁·μₜ  (the state's muProduct, in float32 as torch's)
 *   m ← m + (1 − β₁)·(g − m)             v ← β₂·v + (1 − β₂)·g²
 *   d = √(v / (1 − β₂ᵗ)) + ε
 *   w ← w − η·(1 − μₜ)/(1 − Πₜ) · g/d,  then w ← w − η·μₜ₊₁/(1 − Πₜ·μₜ₊₁) · m/d
 */
import { adamMoments } from './adam-moments';
import { updateStep, type ElementProgram } from './program';
import { defineRule } from './rule';

/** NAdam hyperparameters (camelCase versions of PyTorch's). */
export interface NadamHyperparameters {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  momentumDecay: number;
  decoupledWeightDecay: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the NAdam program. */
export interface NadamScalars {
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  biasCorrection2: number;
  eps: number;
  /** η·(1 − μₜ)/(1 − Πₜ): the gradient's factor. */
  gradCoefficient: number;
  /** η·μₜ₊₁/(1 − Πₜ·μₜ₊₁): the first moment's factor. */
  momentCoefficient: number;
  /** λ for the coupled L2 term (0 when decoupled). */
  l2: number;
  /** w's factor before the update: 1 − η·λ when decoupled, else 1. */
  decayFactor: number;
  gradSign: number;
}

/** μₜ of NAdam's momentum schedule. */
const momentumAt = (group: NadamHyperparameters, step: number): number =>
  group.betas[0] * (1 - 0.5 * 0.96 ** (step * group.momentumDecay));

/** Two addcdiv steps as torch takes them (the weights rounded to float32 in between). */
const nadamProgram: ElementProgram<NadamScalars> = {
  name: 'nadam',
  optional: { gradSign: 1, l2: 0, decayFactor: 1 },
  switches: [],
  exclusive: [['l2', 'decayFactor']], // coupled L2 or decoupled decay
  unroll: 1,
  sumsGradSquares: true,
  body(x) {
    const { w0, w, g, m, v } = adamMoments(x);
    const denominator = x.add(x.sqrt(x.div(v, x.scalar('biasCorrection2'))), x.scalar('eps'));
    const afterGrad = x.f32(x.sub(w, x.mul(x.scalar('gradCoefficient'), x.div(g, denominator))));
    const next = x.sub(afterGrad, x.mul(x.scalar('momentCoefficient'), x.div(m, denominator)));
    return updateStep(x, w0, next, [m, v]);
  }
};

export const nadamRule = defineRule<NadamHyperparameters, NadamScalars>({
  id: 'nadam',
  slots: () => ['expAvg', 'expAvgSq'],
  countsSteps: true,
  carried: {
    name: 'muProduct',
    initial: 1,
    // torch multiplies its float32 mu_product by μₜ in float32
    next: (group, step, previous) => Math.fround(previous * Math.fround(momentumAt(group, step)))
  },
  needsNorms: false,
  scalars: (group, step, _fresh, _sums, muProduct = 1) => {
    const [beta1, beta2] = group.betas;
    const mu = momentumAt(group, step);
    const muNext = momentumAt(group, step + 1);
    const decoupled = group.decoupledWeightDecay;
    return {
      oneMinusBeta1: 1 - beta1,
      beta2,
      oneMinusBeta2: 1 - beta2,
      biasCorrection2: 1 - beta2 ** step,
      eps: group.eps,
      gradCoefficient: (group.lr * (1 - mu)) / (1 - muProduct),
      momentCoefficient: (group.lr * muNext) / (1 - muProduct * muNext),
      l2: decoupled ? 0 : group.weightDecay,
      decayFactor: decoupled ? Math.fround(1 - group.lr * group.weightDecay) : 1,
      gradSign: group.maximize ? -1 : 1
    };
  },
  programs: [nadamProgram]
});
