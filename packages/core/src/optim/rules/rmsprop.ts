/**
 * RMSprop as `torch.optim.RMSprop` defines it (PyTorch 2.x, single-tensor path), per element:
 *
 *   g ← ±∇ (− when maximizing);  g ← g + λ·w  (coupled L2 decay)
 *   v ← α·v + (1 − α)·g²
 *   centered: ḡ ← ḡ + (1 − α)·(g − ḡ), d ← √(v − ḡ²) + ε;  else d ← √v + ε
 *   with momentum μ > 0: b ← μ·b + g/d, w ← w − η·b;  else w ← w − η·g/d
 */
import { updateStep, type ElementProgram } from './program';
import { defineRule } from './rule';

/** RMSprop hyperparameters (camelCase versions of PyTorch's). */
export interface RmspropHyperparameters {
  lr: number;
  alpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  centered: boolean;
  maximize: boolean;
}

/** Per-tensor scalars of the RMSprop program. */
export interface RmspropScalars {
  lr: number;
  alpha: number;
  oneMinusAlpha: number;
  eps: number;
  weightDecay: number;
  momentum: number;
  gradSign: number;
  centered: boolean;
}

/** Slots in PyTorch's order: squareAvg, then momentumBuffer (μ > 0), then gradAvg (centered). */
const rmspropProgram: ElementProgram<RmspropScalars> = {
  name: 'rmsprop',
  optional: { gradSign: 1, weightDecay: 0, momentum: 0 },
  switches: ['centered'],
  unroll: 1,
  sumsGradSquares: true,
  body(x) {
    const g = x.plusScaled(x.scaled('gradSign', x.grad), 'weightDecay', x.param);
    const v = x.add(x.mul(x.scalar('alpha'), x.slot(0)), x.mul(x.mul(x.scalar('oneMinusAlpha'), g), g));
    const gradAvgSlot = x.on('momentum') ? 2 : 1;
    const gradAvg0 = x.slot(gradAvgSlot);
    const gradAvg = x.add(gradAvg0, x.mul(x.scalar('oneMinusAlpha'), x.sub(g, gradAvg0)));
    const variance = x.on('centered') ? x.sub(v, x.mul(gradAvg, gradAvg)) : v;
    const denominator = x.add(x.sqrt(variance), x.scalar('eps'));
    const scaledGrad = x.div(g, denominator);
    const buffer = x.add(x.mul(x.scalar('momentum'), x.slot(1)), scaledGrad);
    const direction = x.on('momentum') ? buffer : scaledGrad;
    const slots = [v, ...(x.on('momentum') ? [buffer] : []), ...(x.on('centered') ? [gradAvg] : [])];
    return updateStep(x, x.param, x.sub(x.param, x.mul(x.scalar('lr'), direction)), slots);
  }
};

export const rmspropRule = defineRule<RmspropHyperparameters, RmspropScalars>({
  id: 'rmsprop',
  slots: (group) => [
    'squareAvg',
    ...(group.momentum > 0 ? ['momentumBuffer'] : []),
    ...(group.centered ? ['gradAvg'] : [])
  ],
  countsSteps: true,
  needsNorms: false,
  scalars: (group) => ({
    lr: group.lr,
    alpha: group.alpha,
    oneMinusAlpha: 1 - group.alpha,
    eps: group.eps,
    weightDecay: group.weightDecay,
    momentum: group.momentum,
    gradSign: group.maximize ? -1 : 1,
    centered: group.centered
  }),
  programs: [rmspropProgram]
});
