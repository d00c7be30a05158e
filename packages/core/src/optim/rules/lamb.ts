/**
 * LAMB as timm defines it (`timm.optim.Lamb`, single-tensor path), NVIDIA's FusedLAMB variant.
 * Before the update, over every parameter with a gradient (all groups):
 *
 *   c ← max(‖(∇₁, ∇₂, …)‖ / max_grad_norm, 1)         global gradient clipping (none without max_grad_norm)
 *
 * then per tensor, with t the group's step count, in two passes over the elements:
 *
 *   1. g ← ∇ / c
 *      m ← m + (1 − β₁)·(g − m)  (grad averaging), else m ← β₁·m + g
 *      v ← β₂·v + (1 − β₂)·g²
 *      w' ← w − s·λ·w            decoupled decay (s = η, or η²/η_max when corrected); else w' = w
 *      u ← (m / bc₁) / (√v / √bc₂ + ε)  (+ λ·w with coupled decay)   bc = 1 − βᵗ, or 1 without bias correction
 *      adds up Σ u² and Σ w'²
 *   2. r ← ‖w'‖ / ‖u‖ when the tensor is adapted and both norms are positive, else 1; min(r, 1) with trust_clip
 *      w ← w' − η·r·u            (u recomputed from the stored m, v: the same float32 values)
 *
 * A tensor is adapted when its group has `layerAdaptation` (default true) and, as in timm, a
 * nonzero weight decay or `alwaysAdapt`. `layerAdaptation: false` (the document's LARS grouping:
 * BN parameters and biases) gives r = 1 whatever the decay and `alwaysAdapt`.
 */
import type { Builder, ElementProgram, Value } from './program';
import { updateStep } from './program';
import { defineRule, type PrePassSums } from './rule';

/** LAMB hyperparameters (camelCase versions of timm's, plus `layerAdaptation`). */
export interface LambHyperparameters {
  lr: number;
  biasCorrection: boolean;
  betas: [number, number];
  eps: number;
  weightDecay: number;
  gradAveraging: boolean;
  /** Clip the global gradient norm to this (timm's `max_grad_norm`); null: no clipping. */
  maxGradNorm: number | null;
  /** LAMBC: the trust ratio at most 1. */
  trustClip: boolean;
  /** Adapt tensors of groups without weight decay too. */
  alwaysAdapt: boolean;
  /** timm's `caution` (Cautious Optimizers' mask): not supported, refused when true. */
  caution: boolean;
  decoupledDecay: boolean;
  /** Decoupled decay scaled by η²/η_max instead of η (timm's `corrected_weight_decay`). */
  correctedWeightDecay: boolean;
  /** η_max of corrected weight decay: timm's `max_lr_snapshot`, the constructor's learning rate. */
  maxLrSnapshot: number;
  /** false: trust ratio 1 for the group's tensors (the document's LARS grouping). */
  layerAdaptation: boolean;
}

/** Per-tensor scalars of both LAMB passes (the first pass reads the moment ones only). */
export interface LambScalars {
  /** The global clipping divisor c (1: no clipping). */
  gradDivisor: number;
  beta1: number;
  oneMinusBeta1: number;
  gradAveraging: boolean;
  beta2: number;
  oneMinusBeta2: number;
  biasCorrection1: number;
  biasCorrection2Sqrt: number;
  eps: number;
  /** λ of coupled decay (0 when decoupled or without decay). */
  l2: number;
  /** −s·λ of decoupled decay, rounded to float32 (0 when coupled or without decay). */
  decayAlpha: number;
  /** η·r rounded to float32 (second pass). */
  scaledLr: number;
  trustRatio: number;
}

/** The decayed weights w' and the update direction u, from the weights and the new moments. */
function direction(x: Builder<LambScalars>, m: Value, v: Value): { w: Value; u: Value } {
  const w = x.on('decayAlpha') ? x.f32(x.plusScaled(x.param, 'decayAlpha', x.param)) : x.param;
  const denominator = x.f32(x.add(x.f32(x.div(x.f32(x.sqrt(v)), x.scalar('biasCorrection2Sqrt'))), x.scalar('eps')));
  const adam = x.f32(x.div(x.f32(x.div(m, x.scalar('biasCorrection1'))), denominator));
  return { w, u: x.on('l2') ? x.f32(x.plusScaled(adam, 'l2', x.param)) : adam };
}

/** First pass: the moments (stored) and Σ u², Σ w'². */
const lambMomentsProgram: ElementProgram<LambScalars> = {
  name: 'lamb1',
  optional: { gradDivisor: 1, l2: 0, decayAlpha: 0 },
  switches: ['gradAveraging'],
  exclusive: [['l2', 'decayAlpha']],
  unroll: 1,
  body(x) {
    const g = x.on('gradDivisor') ? x.f32(x.div(x.grad, x.scalar('gradDivisor'))) : x.grad;
    const m0 = x.slot(0);
    const m = x.on('gradAveraging')
      ? x.add(m0, x.mul(x.scalar('oneMinusBeta1'), x.sub(g, m0)))
      : x.add(x.f32(x.mul(x.scalar('beta1'), m0)), g);
    const v = x.add(x.f32(x.mul(x.scalar('beta2'), x.slot(1))), x.mul(x.mul(x.scalar('oneMinusBeta2'), g), g));
    const mStored = x.f32(m);
    const vStored = x.f32(v);
    const { w, u } = direction(x, mStored, vStored);
    return {
      stores: [
        ['slot0', mStored],
        ['slot1', vStored]
      ],
      sums: [x.mul(u, u), x.mul(w, w)]
    };
  }
};

/** Second pass: w ← w' − η·r·u from the stored moments. */
const lambUpdateProgram: ElementProgram<LambScalars> = {
  name: 'lamb2',
  optional: { l2: 0, decayAlpha: 0 },
  switches: [],
  exclusive: [['l2', 'decayAlpha']],
  unroll: 1,
  body(x) {
    const { w, u } = direction(x, x.slot(0), x.slot(1));
    return updateStep(x, x.param, x.sub(w, x.mul(x.scalar('scaledLr'), u)), []);
  }
};

/** The scalars both passes share. */
function momentScalars(group: LambHyperparameters, step: number, sums: PrePassSums): LambScalars {
  const [beta1, beta2] = group.betas;
  let gradDivisor = 1;
  if (group.maxGradNorm !== null) {
    const globalNorm = Math.fround(Math.sqrt(sums.totalGradSq ?? sums.gradSq));
    gradDivisor = Math.max(Math.fround(globalNorm / group.maxGradNorm), 1);
  }
  const decay = group.weightDecay;
  const scale = group.correctedWeightDecay ? group.lr ** 2 / group.maxLrSnapshot : group.lr;
  return {
    gradDivisor,
    beta1,
    oneMinusBeta1: 1 - beta1,
    gradAveraging: group.gradAveraging,
    beta2,
    oneMinusBeta2: 1 - beta2,
    biasCorrection1: group.biasCorrection ? 1 - beta1 ** step : 1,
    biasCorrection2Sqrt: group.biasCorrection ? Math.sqrt(1 - beta2 ** step) : 1,
    eps: group.eps,
    l2: group.decoupledDecay ? 0 : decay,
    decayAlpha: group.decoupledDecay && decay !== 0 ? Math.fround(-scale * decay) : 0,
    scaledLr: Math.fround(group.lr),
    trustRatio: 1
  };
}

/** The first pass: it stores the moments and measures ‖u‖², ‖w'‖². */
export const lambMomentsRule = defineRule<LambHyperparameters, LambScalars>({
  id: 'lamb-timm-moments',
  slots: () => ['expAvg', 'expAvgSq'],
  countsSteps: false,
  groupSteps: true,
  needsNorms: false,
  scalars: (group, step, _fresh, sums) => momentScalars(group, step, sums),
  programs: [lambMomentsProgram]
});

export const lambRule = defineRule<LambHyperparameters, LambScalars>({
  id: 'lamb-timm',
  slots: () => ['expAvg', 'expAvgSq'],
  countsSteps: false,
  groupSteps: true,
  needsNorms: false,
  firstPass: lambMomentsRule,
  scalars(group, step, _fresh, sums) {
    const scalars = momentScalars(group, step, sums);
    const [updateSq, weightSq] = sums.firstPass ?? [0, 0];
    let trustRatio = 1;
    if (group.layerAdaptation && (group.weightDecay !== 0 || group.alwaysAdapt)) {
      const weightNorm = Math.fround(Math.sqrt(weightSq));
      const updateNorm = Math.fround(Math.sqrt(updateSq));
      if (weightNorm > 0 && updateNorm > 0) trustRatio = Math.fround(weightNorm / updateNorm);
      if (group.trustClip) trustRatio = Math.min(trustRatio, 1);
    }
    return { ...scalars, trustRatio, scaledLr: Math.fround(group.lr * trustRatio) };
  },
  trustRatio: (s) => s.trustRatio,
  programs: [lambUpdateProgram]
});
