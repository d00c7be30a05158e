import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { lionRule, type LionHyperparameters } from './rules/lion';
import type { ParamGroupInput, ParamLike } from './types';
import { OptimizerError, requireBetas, requireBoolean, requireNonNegative } from './validate';

export type { LionHyperparameters } from './rules/lion';

/**
 * Lion (EvoLved Sign Momentum, Chen et al. 2023) matching `timm.optim.Lion`: the step is
 * η·sign(β₁-interpolated momentum), with decoupled weight decay, corrected weight decay and
 * maximization. timm's `caution` is refused (its mask needs a mean over the tensor). The rule is in
 * `rules/lion.ts`.
 */
export class Lion extends Optimizer<LionHyperparameters> {
  /** timm's defaults; `maxLrSnapshot` is the constructor's `lr` unless given, as in timm. */
  static readonly defaults: LionHyperparameters = {
    lr: 1e-4,
    betas: [0.9, 0.99],
    weightDecay: 0,
    caution: false,
    correctedWeightDecay: false,
    maxLrSnapshot: 1e-4,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<LionHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, Lion.defaults, withLrSnapshot(defaults, Lion.defaults.lr), lionRule, options);
  }

  protected validateHyperparameters(group: LionHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'Lion');
    requireBetas(group.betas, where, 'Lion');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'Lion');
    requireBoolean(group.maximize, 'maximize', where, 'Lion');
    requireCorrectedDecay(group, where, 'Lion');
    refuseCaution(group, where, 'Lion');
  }
}

/** The defaults with `maxLrSnapshot` set to their learning rate when not given (timm's snapshot). */
export function withLrSnapshot<H extends { lr: number; maxLrSnapshot: number }>(
  defaults: Partial<H>,
  defaultLr: number
): Partial<H> {
  if (defaults == null || typeof defaults !== 'object' || 'maxLrSnapshot' in defaults) return defaults;
  return { ...defaults, maxLrSnapshot: defaults.lr ?? defaultLr };
}

/** `correctedWeightDecay` and its η_max (positive when on, as timm requires). */
export function requireCorrectedDecay(
  group: { correctedWeightDecay: boolean; maxLrSnapshot: number },
  where: string,
  owner: string
): void {
  const snapshot = requireNonNegative(group.maxLrSnapshot, 'maxLrSnapshot', where, owner);
  if (requireBoolean(group.correctedWeightDecay, 'correctedWeightDecay', where, owner) && !(snapshot > 0)) {
    throw new OptimizerError(
      `${owner}: correctedWeightDecay in ${where} requires a positive maxLrSnapshot (the peak lr), got ${snapshot}`
    );
  }
}

/** timm's `caution` is not implemented: true is an error that says so. */
export function refuseCaution(group: { caution: boolean }, where: string, owner: string): void {
  if (requireBoolean(group.caution, 'caution', where, owner)) {
    throw new OptimizerError(
      `${owner}: caution = true in ${where} is not supported (timm's Cautious Optimizers mask scales the update by ` +
        `the mean of its mask over the tensor, which this implementation does not compute); use caution: false`
    );
  }
}
