/**
 * Adam and AdamW as `torch.optim.Adam` / `torch.optim.AdamW` define them (PyTorch 2.x,
 * single-tensor path), per element, with t the parameter's step count after this step:
 *
 *   g ← ±∇ (− when maximizing)
 *   Adam:  g ← g + λ·w (coupled L2)      AdamW: w ← w·(1 − η·λ) (decoupled, before the moments)
 *   m ← m + (1 − β₁)·(g − m)             v ← β₂·v + (1 − β₂)·g²
 *   v̂ ← max(v̂, v) with amsgrad (the denominator then uses v̂ instead of v)
 *   w ← w − (η / (1 − β₁ᵗ)) · m / (√v / √(1 − β₂ᵗ) + ε)
 */
import { adamMoments } from './adam-moments';
import { updateStep, type ElementProgram } from './program';
import { defineRule, type UpdateRule } from './rule';

/** Adam/AdamW hyperparameters (camelCase versions of PyTorch's). */
export interface AdamHyperparameters {
  lr: number;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  amsgrad: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the Adam program. */
export interface AdamScalars {
  stepSize: number;
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  eps: number;
  /** 1 / √(1 − β₂ᵗ): a factor, so the SIMD loop's divider only serves the step's one division. */
  inverseBiasCorrection2Sqrt: number;
  /** λ for Adam's coupled L2 term (0 for AdamW). */
  l2: number;
  /** w's factor before the update: 1 − η·λ for AdamW, 1 for Adam. */
  decayFactor: number;
  gradSign: number;
  amsgrad: boolean;
}

/**
 * w ← w·decay; g ← ±∇ + l2·w; m ← m + (1 − β₁)(g − m); v ← β₂v + (1 − β₂)g²;
 * v̂ ← max(v̂, v) with amsgrad; w ← w − stepSize·m / (√v̂·(1/√bc₂) + ε).
 * Σ Δw² is taken against the weights before decay.
 */
const adamProgram: ElementProgram<AdamScalars> = {
  name: 'adam',
  optional: { gradSign: 1, l2: 0, decayFactor: 1 },
  switches: ['amsgrad'],
  exclusive: [['l2', 'decayFactor']], // Adam's coupled L2, AdamW's decoupled decay
  unroll: 1, // more copies spill its vectors out of registers
  sumsGradSquares: true,
  body(x) {
    const { w0, w, m, v } = adamMoments(x);
    const vMax = x.on('amsgrad') ? x.max(x.slot(2), v) : v;
    const denominator = x.add(x.mul(x.sqrt(vMax), x.scalar('inverseBiasCorrection2Sqrt')), x.scalar('eps'));
    const next = x.sub(w, x.div(x.mul(x.scalar('stepSize'), m), denominator));
    return updateStep(x, w0, next, x.on('amsgrad') ? [m, v, vMax] : [m, v]);
  }
};

function adamRule(decoupled: boolean): UpdateRule<AdamHyperparameters, AdamScalars> {
  return defineRule({
    id: decoupled ? 'adamw' : 'adam',
    slots: (group) => (group.amsgrad ? ['expAvg', 'expAvgSq', 'maxExpAvgSq'] : ['expAvg', 'expAvgSq']),
    countsSteps: true,
    needsNorms: false,
    scalars: (group, step) => {
      const [beta1, beta2] = group.betas;
      return {
        stepSize: group.lr / (1 - beta1 ** step),
        oneMinusBeta1: 1 - beta1,
        beta2,
        oneMinusBeta2: 1 - beta2,
        eps: group.eps,
        inverseBiasCorrection2Sqrt: 1 / Math.sqrt(1 - beta2 ** step),
        l2: decoupled ? 0 : group.weightDecay,
        decayFactor: decoupled ? Math.fround(1 - group.lr * group.weightDecay) : 1,
        gradSign: group.maximize ? -1 : 1,
        amsgrad: group.amsgrad
      };
    },
    programs: [adamProgram]
  });
}

export const adamL2Rule = adamRule(false);
export const adamWRule = adamRule(true);
