/**
 * Linear, convolution, embedding, activation, pooling and container modules. Layout: features on
 * the last axis (TF.js's NHWC); weights keep PyTorch's shapes (`[out, in, kh, kw]` for Conv2d).
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module';
import { normalVariable, uniformVariable } from './init';
import { conv2dTorchWeight, maxPool2dTorch, relu } from './functional';

function positiveInt(kind: string, name: string, value: number): number {
  if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${kind}: ${name} must be a positive integer, got ${value}`);
  return value;
}

/** y = x Wᵀ + b, with PyTorch's `[out, in]` weight and its default uniform initialisation. */
export class Linear extends Module {
  readonly kind = 'Linear';
  readonly weight: tf.Variable;
  readonly bias: tf.Variable | null;

  constructor(readonly inFeatures: number, readonly outFeatures: number, options: { bias?: boolean } = {}) {
    super();
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

/** Options of {@link Conv2d}, as PyTorch's (`padding` is symmetric, in pixels). */
export interface Conv2dOptions {
  stride?: number;
  padding?: number;
  dilation?: number;
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
  readonly stride: number;
  readonly padding: number;
  readonly dilation: number;

  constructor(
    readonly inChannels: number,
    readonly outChannels: number,
    readonly kernelSize: number,
    options: Conv2dOptions = {}
  ) {
    super();
    positiveInt('Conv2d', 'inChannels', inChannels);
    positiveInt('Conv2d', 'outChannels', outChannels);
    positiveInt('Conv2d', 'kernelSize', kernelSize);
    this.stride = positiveInt('Conv2d', 'stride', options.stride ?? 1);
    this.dilation = positiveInt('Conv2d', 'dilation', options.dilation ?? 1);
    this.padding = options.padding ?? 0;
    if (!Number.isInteger(this.padding) || this.padding < 0) {
      throw new RangeError(`Conv2d: padding must be a non-negative integer, got ${this.padding}`);
    }
    // PyTorch's default: kaiming_uniform_(a=√5) gives U(±1/√fan_in) for the weight and the bias.
    const bound = 1 / Math.sqrt(inChannels * kernelSize * kernelSize);
    const shape = [outChannels, inChannels, kernelSize, kernelSize];
    const weight =
      options.weightInit === 'kaiming-normal-fan-out'
        ? normalVariable(shape, Math.sqrt(2 / (outChannels * kernelSize * kernelSize)))
        : uniformVariable(shape, bound);
    this.weight = this.registerParameter('weight', weight) as tf.Variable;
    this.bias = this.registerParameter('bias', options.bias === false ? null : uniformVariable([outChannels], bound));
  }

  forward(input: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      // PyTorch's weight layout and symmetric padding (see conv2dTorchWeight).
      const y = conv2dTorchWeight(input as tf.Tensor4D, this.weight as tf.Tensor4D, this.stride, this.padding, this.dilation);
      return this.bias ? tf.add(y, this.bias) : y;
    });
  }
}

/** A lookup table: integer indices → rows of the `[num, dim]` weight (N(0,1) initialised). */
export class Embedding extends Module {
  readonly kind = 'Embedding';
  readonly weight: tf.Variable;

  constructor(readonly numEmbeddings: number, readonly embeddingDim: number) {
    super();
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

/** Flattens every axis after the first. */
export class Flatten extends Module {
  readonly kind = 'Flatten';
  forward(input: tf.Tensor): tf.Tensor {
    return input.reshape([input.shape[0], -1]);
  }
}

/** Max pooling on NHWC input, with PyTorch's symmetric padding. */
export class MaxPool2d extends Module {
  readonly kind = 'MaxPool2d';
  constructor(readonly kernelSize: number, readonly stride = kernelSize, readonly padding = 0) {
    super();
  }
  forward(input: tf.Tensor): tf.Tensor {
    // Padding never wins the max, as in PyTorch.
    return maxPool2dTorch(input as tf.Tensor4D, this.kernelSize, this.stride, this.padding);
  }
}

/** Global average pooling to 1×1 (PyTorch's `AdaptiveAvgPool2d((1, 1))`), NHWC in and out. */
export class AdaptiveAvgPool2d extends Module {
  readonly kind = 'AdaptiveAvgPool2d';
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
