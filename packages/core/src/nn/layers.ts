/**
 * Linear, convolution, embedding, activation, pooling and container modules. Layout: features on
 * the last axis (TF.js's NHWC); weights keep PyTorch's shapes (`[out, in, kh, kw]` for Conv2d).
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module';
import { normalVariable, uniformVariable } from './init';
import { conv2dTorchWeight, maxPool2dTorch, relu } from './functional';
import { checkOptions, squarePair, unsupported, type FactoryOptions } from './options';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

function positiveInt(kind: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0)
    throw new CoreError(`${kind}: ${name} must be a positive integer, got ${describeValue(value)}`);
  return value;
}

/** Options of {@link Linear}, as PyTorch's. */
export interface LinearOptions extends FactoryOptions {
  bias?: boolean;
}

/** y = x Wᵀ + b, with PyTorch's `[out, in]` weight and its default uniform initialisation. */
export class Linear extends Module {
  readonly kind = 'Linear';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(
    readonly inFeatures: number,
    readonly outFeatures: number,
    options: LinearOptions = {}
  ) {
    super();
    checkOptions('Linear', options, ['bias'], '3rd');
    positiveInt('Linear', 'inFeatures', inFeatures);
    positiveInt('Linear', 'outFeatures', outFeatures);
    const bound = 1 / Math.sqrt(inFeatures);
    this.weight = this.registerParameter('weight', uniformVariable([outFeatures, inFeatures], bound)) as tf.Variable;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformVariable([outFeatures], bound));
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const y = tf.matMul(input.reshape([-1, this.inFeatures]), this.weight, false, true);
      const out = this.bias ? tf.add(y, this.bias) : y;
      return out.reshape([...input.shape.slice(0, -1), this.outFeatures]);
    });
  }
}

/** A size as PyTorch takes it: one number, or a pair for (height, width). */
export type SizePair = number | readonly [number, number];

/**
 * Options of {@link Conv2d}, as PyTorch's. Pairs must have equal entries (square kernels, equal
 * strides and padding on both axes).
 */
export interface Conv2dOptions extends FactoryOptions {
  stride?: SizePair;
  /**
   * Symmetric zero padding in pixels, or PyTorch's `'valid'` (none) or `'same'` (stride 1, and an
   * odd `dilation·(kernelSize − 1) + 1`: PyTorch pads an even one asymmetrically, which is not supported).
   */
  padding?: SizePair | 'valid' | 'same';
  dilation?: SizePair;
  /** PyTorch's `groups`: only 1 (grouped and depthwise convolutions are not implemented). */
  groups?: number;
  /** PyTorch's `padding_mode`: only `'zeros'`. */
  paddingMode?: 'zeros' | 'reflect' | 'replicate' | 'circular';
  bias?: boolean;
  /**
   * `'pytorch'` (default): U(±1/√fan_in); `'kaiming-normal-fan-out'`: N(0, 2/fan_out), what
   * torchvision's ResNet uses.
   */
  weightInit?: 'pytorch' | 'kaiming-normal-fan-out';
}

/** 2-D convolution on NHWC input; the weight has PyTorch's shape `[out, in, kh, kw]`. */
export class Conv2d extends Module {
  readonly kind = 'Conv2d';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    kernelSize: SizePair,
    options: Conv2dOptions = {}
  ) {
    super();
    const known = ['stride', 'padding', 'dilation', 'groups', 'paddingMode', 'bias', 'weightInit'];
    checkOptions('Conv2d', options, known, '4th');
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    const kernel = squarePair('Conv2d', 'kernelSize', kernelSize, 'a square kernel');
    this.kernelSize = positiveInt('Conv2d', 'kernelSize', kernel);
    const stride = squarePair('Conv2d', 'stride', options.stride ?? 1, 'the same stride on both axes');
    this.stride = positiveInt('Conv2d', 'stride', stride);
    const dilation = squarePair('Conv2d', 'dilation', options.dilation ?? 1, 'the same dilation on both axes');
    this.dilation = positiveInt('Conv2d', 'dilation', dilation);
    this.padding = conv2dPadding(options.padding ?? 0, this.kernelSize, this.stride, this.dilation);
    if (options.groups !== undefined && options.groups !== 1) {
      const why = 'only 1 is (grouped and depthwise convolutions are not implemented)';
      unsupported('Conv2d', 'groups', options.groups, why);
    }
    if (options.paddingMode !== undefined && options.paddingMode !== 'zeros') {
      unsupported('Conv2d', 'paddingMode', options.paddingMode, "only 'zeros' is");
    }
    // PyTorch's default: kaiming_uniform_(a=√5) gives U(±1/√fan_in) for the weight and the bias.
    const k = this.kernelSize;
    const bound = 1 / Math.sqrt(inChannels * k * k);
    const shape = [outChannels, inChannels, k, k];
    const weight =
      options.weightInit === 'kaiming-normal-fan-out'
        ? normalVariable(shape, Math.sqrt(2 / (outChannels * k * k)))
        : uniformVariable(shape, bound);
    this.weight = this.registerParameter('weight', weight) as tf.Variable;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformVariable([outChannels], bound));
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // PyTorch's weight layout and symmetric padding (see conv2dTorchWeight).
      const y = conv2dTorchWeight(
        input as tf.Tensor4D,
        this.weight as tf.Tensor4D,
        this.stride,
        this.padding,
        this.dilation
      );
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/** Conv2d's `padding` in pixels (symmetric), from a number, a pair, `'valid'` or `'same'`. */
function conv2dPadding(
  padding: SizePair | 'valid' | 'same',
  kernelSize: number,
  stride: number,
  dilation: number
): number {
  if (padding === 'valid') return 0;
  if (padding === 'same') {
    if (stride !== 1) {
      unsupported('Conv2d', 'padding', padding, `it needs stride 1 (as in PyTorch), got stride ${stride}`);
    }
    const total = dilation * (kernelSize - 1);
    if (total % 2 !== 0) {
      const why = `with dilation·(kernelSize − 1) = ${total} it would pad one side more; only symmetric padding is`;
      unsupported('Conv2d', 'padding', padding, `${why}: use an odd kernelSize`);
    }
    return total / 2;
  }
  const pixels = squarePair('Conv2d', 'padding', padding, 'the same padding on both axes');
  if (!Number.isInteger(pixels) || pixels < 0) {
    throw new CoreError(
      `Conv2d: padding must be a non-negative integer, 'valid' or 'same', got ${describeValue(pixels)}`
    );
  }
  return pixels;
}

/** Options of {@link Embedding}, as PyTorch's; only their defaults are supported. */
export interface EmbeddingOptions extends FactoryOptions {
  /** PyTorch's `padding_idx`: not supported (no row is kept at zero). */
  paddingIdx?: number | null;
  /** PyTorch's `max_norm`: not supported (rows are not renormalized). */
  maxNorm?: number | null;
  /** PyTorch's `norm_type`: only 2, its default (it matters only with `maxNorm`). */
  normType?: number;
  /** PyTorch's `scale_grad_by_freq`: only false. */
  scaleGradByFreq?: boolean;
  /** PyTorch's `sparse`: only false (TF.js has no sparse gradients). */
  sparse?: boolean;
}

/** A lookup table: integer indices → rows of the `[num, dim]` weight (N(0,1) initialised). */
export class Embedding extends Module {
  readonly kind = 'Embedding';
  readonly weight: tf.Variable;

  constructor(
    readonly numEmbeddings: number,
    readonly embeddingDim: number,
    options: EmbeddingOptions = {}
  ) {
    super();
    checkOptions('Embedding', options, ['paddingIdx', 'maxNorm', 'normType', 'scaleGradByFreq', 'sparse'], '3rd');
    if (options.paddingIdx != null) unsupported('Embedding', 'paddingIdx', options.paddingIdx, 'only null is');
    if (options.maxNorm != null) unsupported('Embedding', 'maxNorm', options.maxNorm, 'only null is');
    if (options.normType !== undefined && options.normType !== 2) {
      const why = 'only 2 is (it matters only with maxNorm, which is not supported)';
      unsupported('Embedding', 'normType', options.normType, why);
    }
    if (options.scaleGradByFreq) unsupported('Embedding', 'scaleGradByFreq', true, 'only false is');
    if (options.sparse) unsupported('Embedding', 'sparse', true, 'only false is (TF.js has no sparse gradients)');
    positiveInt('Embedding', 'numEmbeddings', numEmbeddings);
    positiveInt('Embedding', 'embeddingDim', embeddingDim);
    this.weight = this.registerParameter('weight', normalVariable([numEmbeddings, embeddingDim], 1)) as tf.Variable;
  }

  forward(indices: tf.Tensor): tf.Tensor {
    return tf.tidy(() => tf.gather(this.weight, indices.toInt()));
  }
}

/** max(x, 0). */
export class ReLU extends Module {
  readonly kind = 'ReLU';
  /**
   * @param inplace PyTorch's `inplace`, accepted for its habit: TF.js tensors are immutable, so the
   * output is a new tensor either way (with the same values).
   */
  constructor(readonly inplace = false) {
    super();
  }
  forward(input: tf.Tensor): tf.Tensor {
    return relu(input);
  }
}

/** Returns its input. */
export class Identity extends Module {
  readonly kind = 'Identity';
  forward(input: tf.Tensor): tf.Tensor {
    return input;
  }
}

/**
 * Flattens the axes `startDim` … `endDim` into one (PyTorch's defaults: every axis after the
 * first). On NHWC input the flattened order is TF.js's (channels last), not PyTorch's.
 */
export class Flatten extends Module {
  readonly kind = 'Flatten';
  constructor(
    readonly startDim = 1,
    readonly endDim = -1
  ) {
    super();
    if (!Number.isInteger(startDim))
      throw new CoreError(`Flatten: startDim must be an integer, got ${describeValue(startDim)}`);
    if (!Number.isInteger(endDim))
      throw new CoreError(`Flatten: endDim must be an integer, got ${describeValue(endDim)}`);
  }
  forward(input: tf.Tensor): tf.Tensor {
    const axis = (dim: number) => (dim < 0 ? dim + input.rank : dim);
    const [start, end] = [axis(this.startDim), axis(this.endDim)];
    if (start < 0 || end >= input.rank || start > end) {
      throw new CoreError(
        `Flatten: startDim ${this.startDim} and endDim ${this.endDim} ` +
          `do not span axes of an input of rank ${input.rank}`
      );
    }
    return input.reshape([...input.shape.slice(0, start), -1, ...input.shape.slice(end + 1)]);
  }
}

/** Options of {@link MaxPool2d} after PyTorch's positional ones; only their defaults are supported. */
export interface MaxPool2dOptions {
  /** PyTorch's `dilation`: only 1. */
  dilation?: SizePair;
  /** PyTorch's `return_indices`: only false. */
  returnIndices?: boolean;
  /** PyTorch's `ceil_mode`: only false (output sizes round down). */
  ceilMode?: boolean;
}

/** Max pooling on NHWC input, with PyTorch's symmetric padding. */
export class MaxPool2d extends Module {
  readonly kind = 'MaxPool2d';
  readonly kernelSize: number;
  readonly stride: number;
  readonly padding: number;

  /** As PyTorch's: `stride` defaults to (`null` means) `kernelSize`. */
  constructor(
    kernelSize: SizePair,
    stride: SizePair | null = null,
    padding: SizePair = 0,
    options: MaxPool2dOptions = {}
  ) {
    super();
    checkOptions('MaxPool2d', options, ['dilation', 'returnIndices', 'ceilMode'], '4th');
    const kernel = squarePair('MaxPool2d', 'kernelSize', kernelSize, 'a square window');
    this.kernelSize = positiveInt('MaxPool2d', 'kernelSize', kernel);
    const steps = stride === null ? kernel : squarePair('MaxPool2d', 'stride', stride, 'the same stride on both axes');
    this.stride = positiveInt('MaxPool2d', 'stride', steps);
    this.padding = squarePair('MaxPool2d', 'padding', padding, 'the same padding on both axes');
    if (!Number.isInteger(this.padding) || this.padding < 0 || this.padding > kernel / 2) {
      throw new CoreError(
        'MaxPool2d: padding must be an integer from 0 to kernelSize / 2 (as in PyTorch), ' +
          `got ${describeValue(this.padding)}`
      );
    }
    const dilation = squarePair('MaxPool2d', 'dilation', options.dilation ?? 1, 'the same dilation on both axes');
    if (dilation !== 1) unsupported('MaxPool2d', 'dilation', options.dilation, 'only 1 is');
    if (options.returnIndices) unsupported('MaxPool2d', 'returnIndices', true, 'only false is');
    if (options.ceilMode) unsupported('MaxPool2d', 'ceilMode', true, 'only false is (output sizes round down)');
  }
  forward(input: tf.Tensor): tf.Tensor {
    // Padding never wins the max, as in PyTorch.
    return maxPool2dTorch(input as tf.Tensor4D, this.kernelSize, this.stride, this.padding);
  }
}

/** Global average pooling to 1×1 (PyTorch's `AdaptiveAvgPool2d((1, 1))`), NHWC in and out. */
export class AdaptiveAvgPool2d extends Module {
  readonly kind = 'AdaptiveAvgPool2d';
  /**
   * @param outputSize PyTorch's `output_size`: only 1 or [1, 1] (global average pooling, what
   * torchvision's classifiers use); the default, so `new AdaptiveAvgPool2d()` is the same.
   */
  constructor(outputSize: SizePair = 1) {
    super();
    const global =
      typeof outputSize === 'number'
        ? outputSize === 1
        : outputSize.length === 2 && outputSize.every((size) => size === 1);
    if (!global) {
      unsupported('AdaptiveAvgPool2d', 'outputSize', outputSize, 'only 1 or [1, 1] is (global average pooling)');
    }
  }
  forward(input: tf.Tensor): tf.Tensor {
    return tf.mean(input, [1, 2], true);
  }
}

/** Runs its children in order; they are named `0`, `1`, … as in PyTorch. */
export class Sequential extends Module {
  readonly kind = 'Sequential';
  constructor(...modules: Module[]) {
    super();
    modules.forEach((module, i) => this.registerModule(String(i), module));
  }
  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => this.namedChildren().reduce((x, [, module]) => module.call(x), input));
  }
}
