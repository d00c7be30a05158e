/**
 * "Precise BN" (Wu & Johnson 2021; Summers & Dinneen 2020): recompute every BatchNorm's running
 * statistics at the final weights, as `torch.optim.swa_utils.update_bn` does. During training the
 * running averages (momentum 0.1) mix statistics of weights the optimizer has already left; a
 * network whose weights still move fast at the end is then evaluated with stale statistics.
 */
import * as tf from '@tensorflow/tfjs';
import { nn } from '@paramscope/core';
import { ScienceError } from '../errors';

const { BatchNorm1d, BatchNorm2d } = nn;
type Module = nn.Module;
type BatchNorm1d = nn.BatchNorm1d;
type BatchNorm2d = nn.BatchNorm2d;

type BatchNormModule = BatchNorm1d | BatchNorm2d;

/**
 * Resets the running mean and variance of every BatchNorm in `model` and re-estimates them as the
 * cumulative average (PyTorch's `momentum=None`) over `batches`, run through the model in training
 * mode: running mean = mean of the batch means, running variance = mean of the unbiased batch
 * variances. Parameters are not touched; each BatchNorm's momentum and the model's mode are
 * restored afterwards. Batches are only read (the caller disposes them).
 *
 * @returns the number of BatchNorm modules recalibrated.
 */
export function recalibrateBatchNorm(model: Module, batches: readonly tf.Tensor[]): number {
  if (batches.length === 0) throw new ScienceError('recalibrateBatchNorm: no batches given');
  const norms = model
    .namedModules()
    .map(([, module]) => module)
    .filter((module): module is BatchNormModule => module instanceof BatchNorm1d || module instanceof BatchNorm2d)
    .filter((module) => module.runningMean !== null);
  const wasTraining = model.training;
  // momentum is read-only for users; the pass swaps it for a cumulative average and restores it.
  const momenta = norms.map((norm) => norm.momentum);
  const setMomentum = (norm: BatchNormModule, momentum: number | null) => {
    (norm as { momentum: number | null }).momentum = momentum;
  };
  try {
    for (const norm of norms) {
      tf.tidy(() => {
        norm.runningMean!.assign(tf.zerosLike(norm.runningMean!));
        norm.runningVar!.assign(tf.onesLike(norm.runningVar!));
        norm.numBatchesTracked!.assign(tf.scalar(0, 'int32'));
      });
      setMomentum(norm, null);
    }
    model.train();
    for (const batch of batches) {
      tf.tidy(() => {
        model.call(batch);
      });
    }
  } finally {
    norms.forEach((norm, i) => setMomentum(norm, momenta[i]));
    if (!wasTraining) model.eval();
  }
  return norms.length;
}
