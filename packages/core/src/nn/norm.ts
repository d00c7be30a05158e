/**
 * Normalization modules with PyTorch's conventions: ε = 1e-5, momentum 0.1 with
 * running = (1 − m)·running + m·batch, the unbiased batch variance in the running estimate and
 * the biased one in the output. Features (channels) are on the last axis.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module';
import { constantVariable, shapeSize } from './init';
import { batchNormTraining, normalizeWith as normalize, type RunningStats } from './functional';
import { checkOptions, unsupported, type FactoryOptions } from './options';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

/** Options of the batch-norm modules, as PyTorch's. */
export interface BatchNormOptions extends FactoryOptions {
  eps?: number;
  /** Weight of the new batch in the running statistics; `null` gives a cumulative average. */
  momentum?: number | null;
  affine?: boolean;
  trackRunningStats?: boolean;
}

function checkEps(kind: string, eps: number): number {
  if (!Number.isFinite(eps) || eps < 0)
    throw new CoreError(`${kind}: eps must be a non-negative number, got ${describeValue(eps)}`);
  return eps;
}

function checkFeatures(kind: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new CoreError(`${kind}: ${name} must be a positive integer, got ${describeValue(value)}`);
  return value;
}

abstract class BatchNormBase extends Module {
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly runningMean: tf.Variable | null;
  readonly runningVar: tf.Variable | null;
  readonly numBatchesTracked: tf.Variable | null;
  readonly eps: number;
  readonly momentum: number | null;
  protected abstract readonly inputRanks: readonly number[];

  constructor(
    readonly numFeatures: number,
    options: BatchNormOptions
  ) {
    super();
    const kind = new.target.name;
    checkOptions(kind, options, ['eps', 'momentum', 'affine', 'trackRunningStats'], '2nd');
    checkFeatures(kind, 'numFeatures', numFeatures);
    this.eps = checkEps(kind, options.eps ?? 1e-5);
    this.momentum = options.momentum === undefined ? 0.1 : options.momentum;
    if (this.momentum !== null && !(this.momentum >= 0 && this.momentum <= 1)) {
      throw new CoreError(`${kind}: momentum must be in [0, 1] or null, got ${describeValue(this.momentum)}`);
    }
    const affine = options.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? constantVariable([numFeatures], 1) : null);
    this.bias = this.registerParameter('bias', affine ? constantVariable([numFeatures], 0) : null);
    const track = options.trackRunningStats ?? true;
    this.runningMean = track ? this.registerBuffer('running_mean', constantVariable([numFeatures], 0, false)) : null;
    this.runningVar = track ? this.registerBuffer('running_var', constantVariable([numFeatures], 1, false)) : null;
    this.numBatchesTracked = track
      ? this.registerBuffer(
          'num_batches_tracked',
          tf.tidy(() => tf.variable(tf.scalar(0, 'int32'), false))
        )
      : null;
  }

  forward(input: tf.Tensor): tf.Tensor {
    if (!this.inputRanks.includes(input.rank) || input.shape[input.rank - 1] !== this.numFeatures) {
      throw new CoreError(
        `${this.kind}: expected input of rank ${this.inputRanks.join(' or ')} with ${this.numFeatures} features ` +
          `on the last axis, got shape [${input.shape}]`
      );
    }
    const useBatchStats = this.training || !this.runningMean;
    if (!useBatchStats) {
      return tf.tidy(() => normalize(input, this.runningMean!, this.runningVar!, this.eps, this.weight, this.bias));
    }
    const count = input.size / this.numFeatures;
    const track = this.training && this.runningMean !== null;
    if (track && count < 2)
      throw new CoreError(`${this.kind}: expected more than 1 value per channel when training, got ${count}`);
    // Closed-form gradient (fused kernels on the native backend); running statistics updated on the way.
    return tf.tidy(() =>
      batchNormTraining(
        input,
        this.weight as tf.Tensor1D | null,
        this.bias as tf.Tensor1D | null,
        this.eps,
        track ? this.nextRunningStats() : undefined
      )
    );
  }

  /** Counts the batch; the running statistics and this batch's weight in them. */
  private nextRunningStats(): RunningStats {
    const tracked = this.numBatchesTracked!;
    tf.tidy(() => tracked.assign(tf.add(tracked, tf.scalar(1, 'int32'))));
    // Only the cumulative average needs the count on the host.
    const momentum = this.momentum ?? 1 / (tracked.dataSync()[0] as number);
    return { mean: this.runningMean!, variance: this.runningVar!, momentum };
  }
}

/** Batch norm over `[N, C]` or `[N, L, C]` input. */
export class BatchNorm1d extends BatchNormBase {
  readonly kind = 'BatchNorm1d';
  protected readonly inputRanks = [2, 3];
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
}

/** Batch norm over NHWC input. */
export class BatchNorm2d extends BatchNormBase {
  readonly kind = 'BatchNorm2d';
  protected readonly inputRanks = [4];
  constructor(numFeatures: number, options: BatchNormOptions = {}) {
    super(numFeatures, options);
  }
}

/** Options of {@link LayerNorm}, as PyTorch's. */
export interface LayerNormOptions extends FactoryOptions {
  eps?: number;
  elementwiseAffine?: boolean;
  bias?: boolean;
}

/** Options of {@link GroupNorm}, as PyTorch's. */
export interface GroupNormOptions extends FactoryOptions {
  eps?: number;
  affine?: boolean;
}

/** Options of {@link InstanceNorm2d}, as PyTorch's. */
export interface InstanceNormOptions extends FactoryOptions {
  eps?: number;
  affine?: boolean;
  /** Unused, as in PyTorch without running statistics. */
  momentum?: number | null;
  /** PyTorch's `track_running_stats`: only false (each instance is normalized by its own statistics). */
  trackRunningStats?: boolean;
}

/** Normalizes over the last `normalizedShape.length` axes of each sample. */
export class LayerNorm extends Module {
  readonly kind = 'LayerNorm';
  readonly normalizedShape: number[];
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly eps: number;

  constructor(normalizedShape: number | number[], options: LayerNormOptions = {}) {
    super();
    checkOptions('LayerNorm', options, ['eps', 'elementwiseAffine', 'bias'], '2nd');
    this.normalizedShape = typeof normalizedShape === 'number' ? [normalizedShape] : [...normalizedShape];
    this.normalizedShape.forEach((d, i) => checkFeatures('LayerNorm', `normalizedShape[${i}]`, d));
    this.eps = checkEps('LayerNorm', options.eps ?? 1e-5);
    const affine = options.elementwiseAffine ?? true;
    this.weight = this.registerParameter('weight', affine ? constantVariable(this.normalizedShape, 1) : null);
    this.bias = this.registerParameter(
      'bias',
      affine && options.bias !== false ? constantVariable(this.normalizedShape, 0) : null
    );
  }

  forward(input: tf.Tensor): tf.Tensor {
    const k = this.normalizedShape.length;
    if (input.shape.slice(-k).join() !== this.normalizedShape.join()) {
      throw new CoreError(`LayerNorm: input shape [${input.shape}] does not end with [${this.normalizedShape}]`);
    }
    return tf.tidy(() => {
      const axes = this.normalizedShape.map((_, i) => input.rank - k + i);
      const { mean, variance } = tf.moments(input, axes, true);
      return normalize(input, mean, variance, this.eps, this.weight, this.bias);
    });
  }
}

/** Normalizes groups of channels over the channels of the group and every spatial position. */
export class GroupNorm extends Module {
  readonly kind = 'GroupNorm';
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly eps: number;

  constructor(
    readonly numGroups: number,
    readonly numChannels: number,
    options: GroupNormOptions = {}
  ) {
    super();
    checkOptions('GroupNorm', options, ['eps', 'affine'], '3rd');
    checkFeatures('GroupNorm', 'numGroups', numGroups);
    checkFeatures('GroupNorm', 'numChannels', numChannels);
    if (numChannels % numGroups !== 0) {
      throw new CoreError(`GroupNorm: numChannels (${numChannels}) must be divisible by numGroups (${numGroups})`);
    }
    this.eps = checkEps('GroupNorm', options.eps ?? 1e-5);
    const affine = options.affine ?? true;
    this.weight = this.registerParameter('weight', affine ? constantVariable([numChannels], 1) : null);
    this.bias = this.registerParameter('bias', affine ? constantVariable([numChannels], 0) : null);
  }

  forward(input: tf.Tensor): tf.Tensor {
    if (input.rank < 2 || input.shape[input.rank - 1] !== this.numChannels) {
      throw new CoreError(
        `GroupNorm: expected ${this.numChannels} channels on the last axis, got shape [${input.shape}]`
      );
    }
    return tf.tidy(() => {
      const [n] = input.shape;
      const spatial = shapeSize(input.shape.slice(1, -1));
      const grouped = input.reshape([n, spatial, this.numGroups, this.numChannels / this.numGroups]);
      const { mean, variance } = tf.moments(grouped, [1, 3], true);
      let y = normalize(grouped, mean, variance, this.eps, null, null).reshape(input.shape);
      if (this.weight) y = tf.mul(y, this.weight);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/** Normalizes each channel of each sample over its spatial positions (NHWC input). */
export class InstanceNorm2d extends Module {
  readonly kind = 'InstanceNorm2d';
  readonly weight: tf.Variable | null;
  readonly bias: tf.Variable | null;
  readonly eps: number;

  /** PyTorch's defaults: no affine parameters, no running statistics. */
  constructor(
    readonly numFeatures: number,
    options: InstanceNormOptions = {}
  ) {
    super();
    checkOptions('InstanceNorm2d', options, ['eps', 'affine', 'momentum', 'trackRunningStats'], '2nd');
    if (options.trackRunningStats) {
      unsupported('InstanceNorm2d', 'trackRunningStats', true, 'only false is (no running statistics are kept)');
    }
    checkFeatures('InstanceNorm2d', 'numFeatures', numFeatures);
    this.eps = checkEps('InstanceNorm2d', options.eps ?? 1e-5);
    const affine = options.affine ?? false;
    this.weight = this.registerParameter('weight', affine ? constantVariable([numFeatures], 1) : null);
    this.bias = this.registerParameter('bias', affine ? constantVariable([numFeatures], 0) : null);
  }

  forward(input: tf.Tensor): tf.Tensor {
    if (input.rank !== 4 || input.shape[3] !== this.numFeatures) {
      throw new CoreError(
        `InstanceNorm2d: expected NHWC input with ${this.numFeatures} channels, got shape [${input.shape}]`
      );
    }
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(input, [1, 2], true);
      return normalize(input, mean, variance, this.eps, this.weight, this.bias);
    });
  }
}
