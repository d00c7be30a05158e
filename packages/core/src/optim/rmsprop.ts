import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { rmspropRule, type RmspropHyperparameters } from './rules/rmsprop';
import type { ParamGroupInput, ParamLike } from './types';
import { requireBoolean, requireNonNegative } from './validate';

export type { RmspropHyperparameters } from './rules/rmsprop';

/**
 * RMSprop with coupled (L2) weight decay, momentum, the centered variant and maximization, matching
 * `torch.optim.RMSprop`: v ← αv + (1 − α)g², w ← w − η·g/(√v + ε) (centered: √(v − ḡ²), ḡ the
 * running mean of g; with momentum the buffer b ← μb + g/(√v + ε) takes the step). The rule is in
 * `rules/rmsprop.ts`; the state holds `step`, `squareAvg`, `momentumBuffer` (μ > 0), `gradAvg`
 * (centered).
 */
export class RMSprop extends Optimizer<RmspropHyperparameters> {
  /** PyTorch's defaults (lr 1e-2, α 0.99, ε 1e-8). */
  static readonly defaults: RmspropHyperparameters = {
    lr: 1e-2,
    alpha: 0.99,
    eps: 1e-8,
    weightDecay: 0,
    momentum: 0,
    centered: false,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<RmspropHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, RMSprop.defaults, defaults, rmspropRule, options);
  }

  protected validateHyperparameters(group: RmspropHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'RMSprop');
    requireNonNegative(group.alpha, 'alpha', where, 'RMSprop');
    requireNonNegative(group.eps, 'eps', where, 'RMSprop');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'RMSprop');
    requireNonNegative(group.momentum, 'momentum', where, 'RMSprop');
    requireBoolean(group.centered, 'centered', where, 'RMSprop');
    requireBoolean(group.maximize, 'maximize', where, 'RMSprop');
  }
}
