import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { adagradRule, type AdagradHyperparameters } from './rules/adagrad';
import type { ParamGroupInput, ParamLike } from './types';
import { requireBoolean, requireNonNegative } from './validate';

export type { AdagradHyperparameters } from './rules/adagrad';

/**
 * Adagrad with learning-rate decay, coupled (L2) weight decay, an initial accumulator value and
 * maximization, matching `torch.optim.Adagrad`: s ← s + g², w ← w − η/(1 + (t − 1)·lrDecay) ·
 * g/(√s + ε). The rule is in `rules/adagrad.ts`; the state holds `step` and `sum`.
 *
 * Two differences from torch, neither changing a step: torch creates every parameter's state in
 * its constructor (so `stateDict()` lists parameters that never had a gradient), here at a
 * parameter's first step; and torch fills the accumulator with the constructor's
 * `initial_accumulator_value` even for a group that sets its own, here with the group's value.
 */
export class Adagrad extends Optimizer<AdagradHyperparameters> {
  /** PyTorch's defaults (lr 1e-2, ε 1e-10). */
  static readonly defaults: AdagradHyperparameters = {
    lr: 1e-2,
    lrDecay: 0,
    weightDecay: 0,
    initialAccumulatorValue: 0,
    eps: 1e-10,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<AdagradHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, Adagrad.defaults, defaults, adagradRule, options);
  }

  protected validateHyperparameters(group: AdagradHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'Adagrad');
    requireNonNegative(group.lrDecay, 'lrDecay', where, 'Adagrad');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'Adagrad');
    requireNonNegative(group.initialAccumulatorValue, 'initialAccumulatorValue', where, 'Adagrad');
    requireNonNegative(group.eps, 'eps', where, 'Adagrad');
    requireBoolean(group.maximize, 'maximize', where, 'Adagrad');
  }
}
