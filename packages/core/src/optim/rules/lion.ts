/**
 * Lion (Chen et al., 2023) as timm defines it (`timm.optim.Lion`, single-tensor path), per element:
 *
 *   g ← ±∇ (− when maximizing)
 *   w ← w·(1 − s·λ)                 decoupled decay; s = η, or η²/η_max with corrected weight decay
 *   w ← w − η·sign(m + (1 − β₁)·(g − m))    torch.sign: 0 for 0 (and NaN)
 *   m ← m + (1 − β₂)·(g − m)        (the lerps torch computes for weights below ½)
 */
import { updateStep, type ElementProgram } from './program';
import { defineRule } from './rule';

/** Lion hyperparameters (camelCase versions of timm's). */
export interface LionHyperparameters {
  lr: number;
  betas: [number, number];
  weightDecay: number;
  /** timm's `caution` (Cautious Optimizers' mask): not supported, refused when true. */
  caution: boolean;
  /** Decay scaled by η²/η_max instead of η (timm's `corrected_weight_decay`). */
  correctedWeightDecay: boolean;
  /** η_max of corrected weight decay: timm's `max_lr_snapshot`, the constructor's learning rate. */
  maxLrSnapshot: number;
  maximize: boolean;
}

/** Per-tensor scalars of the Lion program. */
export interface LionScalars {
  /** η rounded to float32, as torch's `alpha`. */
  lr: number;
  oneMinusBeta1: number;
  oneMinusBeta2: number;
  /** w's factor before the update: 1 − s·λ (1 without decay). */
  decayFactor: number;
  gradSign: number;
}

/** w ← w·decay; c ← m + (1 − β₁)(g − m); w ← w − η·sign(c); m ← m + (1 − β₂)(g − m). */
const lionProgram: ElementProgram<LionScalars> = {
  name: 'lion',
  optional: { gradSign: 1, decayFactor: 1 },
  switches: [],
  unroll: 2,
  sumsGradSquares: true,
  body(x) {
    const w0 = x.param;
    const w = x.on('decayFactor') ? x.f32(x.mul(w0, x.scalar('decayFactor'))) : w0;
    const g = x.scaled('gradSign', x.grad);
    const m0 = x.slot(0);
    const c = x.f32(x.add(m0, x.mul(x.scalar('oneMinusBeta1'), x.sub(g, m0))));
    const next = x.sub(w, x.mul(x.scalar('lr'), x.sign(c)));
    const m = x.add(m0, x.mul(x.scalar('oneMinusBeta2'), x.sub(g, m0)));
    return updateStep(x, w0, next, [m]);
  }
};

export const lionRule = defineRule<LionHyperparameters, LionScalars>({
  id: 'lion-timm',
  slots: () => ['expAvg'],
  countsSteps: false,
  needsNorms: false,
  scalars(group) {
    const [beta1, beta2] = group.betas;
    const scale = group.correctedWeightDecay ? group.lr ** 2 / group.maxLrSnapshot : group.lr;
    return {
      lr: Math.fround(group.lr),
      oneMinusBeta1: 1 - beta1,
      oneMinusBeta2: 1 - beta2,
      decayFactor: Math.fround(1 - scale * group.weightDecay),
      gradSign: group.maximize ? -1 : 1
    };
  },
  programs: [lionProgram]
});
