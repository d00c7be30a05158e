import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { radamRule, type RadamHyperparameters } from './rules/radam';
import type { ParamGroupInput, ParamLike } from './types';
import { requireBetas, requireBoolean, requireNonNegative } from './validate';

export type { RadamHyperparameters } from './rules/radam';

/**
 * RAdam (rectified Adam, Liu et al. 2019) with coupled (L2) or decoupled weight decay and
 * maximization, matching `torch.optim.RAdam`: while the approximated SMA length ρₜ ≤ 5 (the first
 * steps) w ← w − η·m̂, then the Adam step scaled by the variance rectification r. The rule is in
 * `rules/radam.ts`; the state holds `step`, `expAvg`, `expAvgSq`.
 */
export class RAdam extends Optimizer<RadamHyperparameters> {
  /** PyTorch's defaults. */
  static readonly defaults: RadamHyperparameters = {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    decoupledWeightDecay: false,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<RadamHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, RAdam.defaults, defaults, radamRule, options);
  }

  protected validateHyperparameters(group: RadamHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'RAdam');
    requireBetas(group.betas, where, 'RAdam');
    requireNonNegative(group.eps, 'eps', where, 'RAdam');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'RAdam');
    requireBoolean(group.decoupledWeightDecay, 'decoupledWeightDecay', where, 'RAdam');
    requireBoolean(group.maximize, 'maximize', where, 'RAdam');
  }
}
