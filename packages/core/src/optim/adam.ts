import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { adamL2Rule, adamWRule, type AdamHyperparameters } from './rules/adam';
import type { ParamGroupInput, ParamLike } from './types';
import { requireBetas, requireBoolean, requireNonNegative } from './validate';

export type { AdamHyperparameters } from './rules/adam';

function validateAdam(owner: string, group: AdamHyperparameters, where: string): void {
  requireNonNegative(group.lr, 'learning rate (lr)', where, owner);
  requireNonNegative(group.eps, 'eps', where, owner);
  requireBetas(group.betas, where, owner);
  requireNonNegative(group.weightDecay, 'weightDecay', where, owner);
  requireBoolean(group.amsgrad, 'amsgrad', where, owner);
  requireBoolean(group.maximize, 'maximize', where, owner);
}

/**
 * Adam with coupled (L2) weight decay, AMSGrad and maximization, matching `torch.optim.Adam`.
 * The rule is in `rules/adam.ts`. For decoupled decay use {@link AdamW}.
 */
export class Adam extends Optimizer<AdamHyperparameters> {
  /** PyTorch's defaults. */
  static readonly defaults: AdamHyperparameters = {
    lr: 1e-3,
    betas: [0.9, 0.999],
    eps: 1e-8,
    weightDecay: 0,
    amsgrad: false,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<AdamHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, Adam.defaults, defaults, adamL2Rule, options);
  }

  protected validateHyperparameters(group: AdamHyperparameters, where: string): void {
    validateAdam('Adam', group, where);
  }
}

/**
 * Adam with decoupled weight decay (w ← w·(1 − η·λ) before the Adam update), matching
 * `torch.optim.AdamW`, whose default decay is 0.01. The rule is in `rules/adam.ts`.
 */
export class AdamW extends Optimizer<AdamHyperparameters> {
  /** PyTorch's defaults: Adam's, with weightDecay 0.01. */
  static readonly defaults: AdamHyperparameters = { ...Adam.defaults, weightDecay: 1e-2 };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<AdamHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, AdamW.defaults, defaults, adamWRule, options);
  }

  protected validateHyperparameters(group: AdamHyperparameters, where: string): void {
    validateAdam('AdamW', group, where);
  }
}
