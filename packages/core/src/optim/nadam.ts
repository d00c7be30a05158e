import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { nadamRule, type NadamHyperparameters } from './rules/nadam';
import type { ParamGroupInput, ParamLike } from './types';
import { requireBetas, requireBoolean, requireNonNegative } from './validate';

export type { NadamHyperparameters } from './rules/nadam';

/**
 * NAdam (Adam with Nesterov momentum, Dozat 2016) with its momentum schedule, coupled (L2) or
 * decoupled weight decay and maximization, matching `torch.optim.NAdam`:
 * μₜ = β₁(1 − ½·0.96^(tψ)), w ← w − η(1 − μₜ)/(1 − Πμ)·g/d − ημₜ₊₁/(1 − Πμ·μₜ₊₁)·m/d with
 * d = √(v/(1 − β₂ᵗ)) + ε. The rule is in `rules/nadam.ts`; the state holds `step`, `muProduct`
 * (Πμ), `expAvg`, `expAvgSq`.
 */
export class NAdam extends Optimizer<NadamHyperparameters> {
  /** PyTorch's defaults (lr 2e-3, momentum decay 4e-3). */
  static readonly defaults: NadamHyperparameters = {
    lr: 2e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    momentumDecay: 4e-3,
    decoupledWeightDecay: false,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<NadamHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, NAdam.defaults, defaults, nadamRule, options);
  }

  protected validateHyperparameters(group: NadamHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'NAdam');
    requireBetas(group.betas, where, 'NAdam');
    requireNonNegative(group.eps, 'eps', where, 'NAdam');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'NAdam');
    requireNonNegative(group.momentumDecay, 'momentumDecay', where, 'NAdam');
    requireBoolean(group.decoupledWeightDecay, 'decoupledWeightDecay', where, 'NAdam');
    requireBoolean(group.maximize, 'maximize', where, 'NAdam');
  }
}
