import { Optimizer, type BaseOptimizerOptions } from './optimizer';
import { sgdRule, type SgdHyperparameters } from './rules/sgd';
import type { ParamGroupInput, ParamLike } from './types';
import { OptimizerError, requireBoolean, requireNonNegative } from './validate';

export type { SgdHyperparameters } from './rules/sgd';

/**
 * Stochastic gradient descent with momentum, dampening, Nesterov momentum, coupled (L2) weight
 * decay and maximization, matching `torch.optim.SGD`. The rule is in `rules/sgd.ts`.
 *
 * @example
 * ```ts
 * const opt = new SGD(
 *   [
 *     { params: decay, weightDecay: 5e-4 },
 *     { params: noDecay, weightDecay: 0 }
 *   ],
 *   { lr: 0.1, momentum: 0.9 }
 * );
 * const { grads } = tf.variableGrads(() => loss());
 * opt.step(grads);
 * tf.dispose(grads);
 * ```
 */
export class SGD extends Optimizer<SgdHyperparameters> {
  /** PyTorch's defaults: lr 1e-3, no momentum, no decay. */
  static readonly defaults: SgdHyperparameters = {
    lr: 1e-3,
    momentum: 0,
    dampening: 0,
    weightDecay: 0,
    nesterov: false,
    maximize: false
  };

  constructor(
    params: ParamLike[] | ParamGroupInput[],
    defaults: Partial<SgdHyperparameters> = {},
    options: BaseOptimizerOptions = {}
  ) {
    super(params, SGD.defaults, defaults, sgdRule, options);
  }

  protected validateHyperparameters(group: SgdHyperparameters, where: string): void {
    requireNonNegative(group.lr, 'learning rate (lr)', where, 'SGD');
    const momentum = requireNonNegative(group.momentum, 'momentum', where, 'SGD');
    const dampening = requireNonNegative(group.dampening, 'dampening', where, 'SGD');
    requireNonNegative(group.weightDecay, 'weightDecay', where, 'SGD');
    requireBoolean(group.maximize, 'maximize', where, 'SGD');
    if (requireBoolean(group.nesterov, 'nesterov', where, 'SGD') && (momentum <= 0 || dampening !== 0)) {
      throw new OptimizerError(
        `SGD: nesterov in ${where} requires momentum > 0 and dampening 0 ` +
          `(got momentum ${momentum}, dampening ${dampening})`
      );
    }
  }
}
