import { refuseCaution, requireCorrectedDecay, withLrSnapshot } from './lion';
import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { lambRule, type LambHyperparameters } from './rules/lamb';
import type { ParamGroupInput, ParamLike } from './types';
import { describeValue } from '@paramscope/protocol';
import { OptimizerError, requireBetas, requireBoolean, requireNonNegative } from './validate';

export type { LambHyperparameters } from './rules/lamb';

/**
 * LAMB (You et al., 2019) matching `timm.optim.Lamb`: Adam moments, global gradient-norm clipping
 * over every parameter with a gradient (`maxGradNorm`), and a per-tensor trust ratio ‖w‖/‖u‖ from
 * the norm of the whole update u (decay term included), with timm's `gradAveraging`,
 * `biasCorrection`, `trustClip`, `alwaysAdapt`, `decoupledDecay` and `correctedWeightDecay`.
 *
 * `layerAdaptation` (default true) drives the trust ratio per group as it does for {@link LARS}:
 * false gives ratio 1, so the document's LARS grouping (BN parameters and biases in a group with
 * `layerAdaptation: false`) works unchanged. With true, timm's rule applies: a tensor is adapted
 * when its group's weight decay is nonzero or `alwaysAdapt` is set. The step count is per group
 * (`paramGroups[g].step`, timm's `group['step']`). timm's `caution` is refused. The rule is in
 * `rules/lamb.ts`.
 */
export class LAMB extends Optimizer<LambHyperparameters> {
  /** timm's defaults; `maxLrSnapshot` is the constructor's `lr` unless given, as in timm. */
  static readonly defaults: LambHyperparameters = {
    lr: 1e-3,
    biasCorrection: true,
    betas: [0.9, 0.999],
    eps: 1e-6,
    weightDecay: 0.01,
    gradAveraging: true,
    maxGradNorm: 1,
    trustClip: false,
    alwaysAdapt: false,
    caution: false,
    decoupledDecay: false,
    correctedWeightDecay: false,
    maxLrSnapshot: 1e-3,
    layerAdaptation: true
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<LambHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, LAMB.defaults, withLrSnapshot(defaults, LAMB.defaults.lr), lambRule, options);
  }

  protected validateHyperparameters(group: LambHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'LAMB');
    requireNonNegative(group.eps, 'eps', where, 'LAMB');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'LAMB');
    requireBetas(group.betas, where, 'LAMB');
    for (const key of [
      'biasCorrection',
      'gradAveraging',
      'trustClip',
      'alwaysAdapt',
      'decoupledDecay',
      'layerAdaptation'
    ] as const) {
      requireBoolean(group[key], key, where, 'LAMB');
    }
    const clip = group.maxGradNorm;
    if (clip !== null && !(typeof clip === 'number' && clip > 0 && Number.isFinite(clip))) {
      throw new OptimizerError(
        `LAMB: invalid maxGradNorm ${describeValue(clip)} in ${where} (a finite number > 0, or null for no clipping)`
      );
    }
    requireCorrectedDecay(group, where, 'LAMB');
    refuseCaution(group, where, 'LAMB');
    const step = (group as { step?: unknown }).step;
    if (step !== undefined && !(typeof step === 'number' && Number.isInteger(step) && step >= 0)) {
      throw new OptimizerError(
        `LAMB: step in ${where} (the group's step count) must be a non-negative integer, got ${describeValue(step)}`
      );
    }
  }
}
