import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { larsRule, type LarsHyperparameters } from './rules/lars';
import type { ParamGroupInput, ParamLike } from './types';
import { OptimizerError, requireBoolean, requireNonNegative } from './validate';

export type { LarsHyperparameters } from './rules/lars';

/**
 * LARS (You et al., 2017) exactly as SimCLR's `LARSOptimizer` (classic momentum) computes it:
 * weight decay is added to the gradient first, the trust ratio η_trust·‖w‖/‖g + λw‖ scales the
 * learning rate, and the momentum buffer accumulates the scaled step. A group with
 * `layerAdaptation: false` (BN parameters and biases in SimCLR) gets a trust ratio of 1; so does a
 * tensor whose weight or gradient norm is zero. The rule is in `rules/lars.ts`.
 */
export class LARS extends Optimizer<LarsHyperparameters> {
  /** SimCLR's defaults (momentum 0.9, trust coefficient 0.001); ε = 0 is SimCLR exactly. */
  static readonly defaults: LarsHyperparameters = {
    lr: 0.1,
    momentum: 0.9,
    weightDecay: 0,
    nesterov: false,
    trustCoefficient: 0.001,
    eps: 0,
    layerAdaptation: true
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<LarsHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, LARS.defaults, defaults, larsRule, options);
  }

  protected validateHyperparameters(group: LarsHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'LARS');
    const momentum = requireNonNegative(group.momentum, 'momentum', where, 'LARS');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'LARS');
    requireNonNegative(group.trustCoefficient, 'trustCoefficient', where, 'LARS');
    requireNonNegative(group.eps, 'eps', where, 'LARS');
    requireBoolean(group.layerAdaptation, 'layerAdaptation', where, 'LARS');
    if (requireBoolean(group.nesterov, 'nesterov', where, 'LARS') && momentum <= 0) {
      throw new OptimizerError(`LARS: nesterov in ${where} requires momentum > 0`);
    }
  }
}
