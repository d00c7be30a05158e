/**
 * TensorFlow's own kernels, reached through the op executor of TF.js's native backend
 * (`@tensorflow/tfjs-node`, backend name `tensorflow`, through its seam `tfjs-internals/tfjs-node`), for
 * the few operations where composing TF.js ops costs several passes over the activations: fused
 * batch norm and its gradient, and ReLU's gradient. Nothing here imports a Node module, and every
 * caller has a portable path for the other backends (cpu, wasm, webgl) and for when this one is
 * switched off.
 */
import * as tf from '@tensorflow/tfjs';
import { gradientDepth } from '../tfjs-internals/gradient-tape';
import { tfjsNodeBackend, type NativeBackend, type NativeOpAttr } from '../tfjs-internals/tfjs-node';

export type { NativeBackend, NativeOpAttr } from '../tfjs-internals/tfjs-node';

let nativeKernelsEnabled = true;

/**
 * Switches the native-kernel fast paths of the `nn` modules on (default) or off. Off, every
 * backend runs the portable implementations (TF.js ops with closed-form gradients). Returns the
 * previous setting.
 */
export function useNativeKernels(enabled: boolean): boolean {
  const previous = nativeKernelsEnabled;
  nativeKernelsEnabled = enabled;
  return previous;
}

/** The active backend's op executor when it is TF.js's native backend and the fast paths are on. */
export function nativeBackend(): NativeBackend | null {
  return nativeKernelsEnabled ? tfjsNodeBackend() : null;
}

/**
 * True when custom (first-order only) gradients may be used for the op being built. They are
 * written with ops that are not themselves differentiated, so inside a nested gradient (`tf.grad`
 * of `tf.grad`, a Hessian-vector product) the modules fall back to autograd.
 */
export function customGradientsAllowed(): boolean {
  return gradientDepth() <= 1;
}

const floatType = (backend: NativeBackend, name: string): NativeOpAttr => ({
  name,
  type: backend.binding.TF_ATTR_TYPE,
  value: backend.binding.TF_FLOAT
});

function batchNormAttrs(backend: NativeBackend, eps: number): NativeOpAttr[] {
  const { binding } = backend;
  return [
    floatType(backend, 'T'),
    floatType(backend, 'U'),
    { name: 'epsilon', type: binding.TF_ATTR_FLOAT, value: eps },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: binding.TF_ATTR_BOOL, value: true }
  ];
}

/** Outputs of {@link nativeFusedBatchNorm}. */
export interface NativeBatchNormOutputs {
  y: tf.Tensor4D;
  /** The batch mean, or the updated running mean when running statistics were given. */
  runningMean: tf.Tensor1D;
  /** The unbiased batch variance, or the updated running variance when running statistics were given. */
  runningVariance: tf.Tensor1D;
  /** Opaque tensors the gradient kernel needs. */
  reserve: tf.Tensor[];
}

/**
 * `FusedBatchNormV3` in training mode on NHWC input: y with the batch statistics (biased variance).
 * With `running`, TensorFlow also returns (1 − momentum)·running + momentum·batch for the mean and
 * the unbiased variance (its `exponential_avg_factor`), PyTorch's update.
 */
export function nativeFusedBatchNorm(
  backend: NativeBackend,
  x: tf.Tensor4D,
  scale: tf.Tensor1D,
  offset: tf.Tensor1D,
  eps: number,
  running?: { mean: tf.Tensor; variance: tf.Tensor; momentum: number }
): NativeBatchNormOutputs {
  const factor = running ? running.momentum : 1;
  const attrs = [
    ...batchNormAttrs(backend, eps),
    { name: 'exponential_avg_factor', type: backend.binding.TF_ATTR_FLOAT, value: factor }
  ];
  const none = running ? null : tf.tensor1d([]);
  const inputs = [x, scale, offset, running?.mean ?? none!, running?.variance ?? none!];
  const [y, runningMean, runningVariance, ...reserve] = backend.executeMultipleOutputs(
    'FusedBatchNormV3',
    attrs,
    inputs,
    6
  );
  none?.dispose();
  return {
    y: y as tf.Tensor4D,
    runningMean: runningMean as tf.Tensor1D,
    runningVariance: runningVariance as tf.Tensor1D,
    reserve
  };
}

/** `FusedBatchNormGradV3`: [dx, dscale, doffset] for the forward pass's saved tensors. */
export function nativeFusedBatchNormGrad(
  backend: NativeBackend,
  dy: tf.Tensor4D,
  x: tf.Tensor4D,
  scale: tf.Tensor1D,
  reserve: tf.Tensor[],
  eps: number
): [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D] {
  const outputs = backend.executeMultipleOutputs(
    'FusedBatchNormGradV3',
    batchNormAttrs(backend, eps),
    [dy, x, scale, ...reserve],
    5
  );
  tf.dispose(outputs.slice(3));
  return [outputs[0] as tf.Tensor4D, outputs[1] as tf.Tensor1D, outputs[2] as tf.Tensor1D];
}

/** `ReluGrad`: dy where the ReLU's output is positive, else 0. */
export function nativeReluGrad(backend: NativeBackend, dy: tf.Tensor, y: tf.Tensor): tf.Tensor {
  return backend.executeSingleOutput('ReluGrad', [floatType(backend, 'T')], [dy, y]);
}
