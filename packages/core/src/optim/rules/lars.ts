/**
 * LARS as SimCLR implements it (google-research/simclr, `lars_optimizer.py`, `LARSOptimizer` with
 * `classic_momentum=True`), per parameter tensor:
 *
 *   g ← ∇ + λ·w                       weight decay enters first, so ‖g‖ below includes it
 *   r ← η_trust · ‖w‖ / (‖g‖ + ε)     when the group has layer adaptation and ‖w‖ > 0 and ‖g‖ > 0;
 *   r ← 1                             otherwise (a zero-norm tensor, e.g. zero-initialised, takes a
 *                                     plain SGD step η·g)
 *   b ← μ·b + η·r·g                   the momentum buffer accumulates the scaled step (b starts at 0)
 *   w ← w − (μ·b + η·r·g) with nesterov, else w ← w − b
 *
 * ε defaults to 0, which is SimCLR exactly (SimCLR has no ε); a positive ε guards the division
 * the way timm's and NVIDIA's LARC do.
 */
import { updateStep, type ElementProgram } from './program';
import { defineRule } from './rule';

/** LARS hyperparameters. `layerAdaptation` and `weightDecay` are per group, as in SimCLR. */
export interface LarsHyperparameters {
  lr: number;
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  trustCoefficient: number;
  eps: number;
  layerAdaptation: boolean;
}

/** Per-tensor scalars of the LARS kernel. */
export interface LarsScalars {
  momentum: number;
  weightDecay: number;
  nesterov: boolean;
  /** η·r: the learning rate scaled by the trust ratio. */
  scaledLr: number;
  trustRatio: number;
}

/** s ← η·r·(∇ + λw); b ← μb + s; w ← w − (μb + s) with nesterov, else w − b. */
const larsProgram: ElementProgram<LarsScalars> = {
  name: 'lars',
  optional: { weightDecay: 0 },
  switches: ['nesterov'],
  unroll: 2,
  body(x) {
    const scaled = x.mul(x.scalar('scaledLr'), x.f32(x.plusScaled(x.grad, 'weightDecay', x.param)));
    const b = x.add(x.mul(x.scalar('momentum'), x.slot(0)), scaled);
    const direction = x.on('nesterov') ? x.add(x.mul(x.scalar('momentum'), b), scaled) : b;
    return updateStep(x, x.param, x.sub(x.param, direction), [b]);
  }
};

export const larsRule = defineRule<LarsHyperparameters, LarsScalars>({
  id: 'lars-simclr',
  slots: () => ['momentumBuffer'],
  countsSteps: false,
  needsNorms: true,
  scalars(group, _step, _fresh, sums) {
    const weightNorm = Math.sqrt(sums.weightSq);
    const gradNorm = Math.sqrt(sums.decayedGradSq);
    const adapt = group.layerAdaptation && weightNorm > 0 && gradNorm > 0;
    const trustRatio = adapt ? (group.trustCoefficient * weightNorm) / (gradNorm + group.eps) : 1;
    return {
      momentum: group.momentum,
      weightDecay: group.weightDecay,
      nesterov: group.nesterov,
      scaledLr: Math.fround(group.lr * Math.fround(trustRatio)),
      trustRatio
    };
  },
  trustRatio: (s) => s.trustRatio,
  programs: [larsProgram]
});
