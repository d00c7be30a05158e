/**
 * The computations behind the modules whose TF.js autograd is slow: training-mode batch norm and
 * ReLU with closed-form gradients (TensorFlow's fused kernels on the native backend), and
 * convolution and max pooling with PyTorch's symmetric padding expressed as TF.js's `'same'`
 * wherever that is the same computation. Forward values are those of the plain TF.js ops; the
 * gradients are first-order only, so inside a nested gradient everything falls back to autograd.
 */
import * as tf from '@tensorflow/tfjs';
import {
  customGradientsAllowed,
  nativeBackend,
  nativeFusedBatchNorm,
  nativeFusedBatchNormGrad,
  nativeReluGrad
} from './native';

/** The forward pass of {@link customOp}: the value and its gradient for each input. */
type CustomForward = (
  inputs: tf.Tensor[],
  save: tf.GradSaveFunc
) => { value: tf.Tensor; gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => tf.Tensor | tf.Tensor[] };

/** `tf.customGrad` with the inputs as an array (one gradient per input, in order). */
function customOp(forward: CustomForward): (...inputs: tf.Tensor[]) => tf.Tensor {
  const f = (...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const save = args.pop() as tf.GradSaveFunc;
    const { value, gradFunc } = forward(args as tf.Tensor[], save);
    return { value, gradFunc: (dy: tf.Tensor | tf.Tensor[], saved: tf.Tensor[]) => gradFunc(dy as tf.Tensor, saved) };
  };
  return tf.customGrad(f as Parameters<typeof tf.customGrad>[0]) as (...inputs: tf.Tensor[]) => tf.Tensor;
}

/**
 * Running statistics a training-mode batch norm updates, as PyTorch's:
 * running = (1 − momentum)·running + momentum·batch, with the unbiased batch variance.
 */
export interface RunningStats {
  mean: tf.Variable;
  variance: tf.Variable;
  /** The weight of this batch (PyTorch's `momentum`, or 1/count for a cumulative average). */
  momentum: number;
}

/** (x − mean)·(var + ε)^(−1/2), then the optional affine map: the ops autograd differentiates. */
export function normalizeWith(
  x: tf.Tensor,
  mean: tf.Tensor,
  variance: tf.Tensor,
  eps: number,
  weight: tf.Tensor | null,
  bias: tf.Tensor | null
): tf.Tensor {
  let y = tf.mul(tf.sub(x, mean), tf.rsqrt(tf.add(variance, eps)));
  if (weight) y = tf.mul(y, weight);
  if (bias) y = tf.add(y, bias);
  return y;
}

/** PyTorch's update of the running statistics from the batch mean and biased variance. */
function updateRunning(running: RunningStats, mean: tf.Tensor, variance: tf.Tensor, count: number): void {
  const m = running.momentum;
  const unbiased = tf.mul(variance, count / (count - 1));
  running.mean.assign(tf.add(tf.mul(running.mean, 1 - m), tf.mul(mean, m)));
  running.variance.assign(tf.add(tf.mul(running.variance, 1 - m), tf.mul(unbiased, m)));
}

/** `t` with `shape`, without a Reshape kernel when it already has it. */
function reshapeTo(t: tf.Tensor, shape: number[]): tf.Tensor {
  return t.shape.length === shape.length && t.shape.every((d, i) => d === shape[i]) ? t : t.reshape(shape);
}

/**
 * Batch norm in training mode over every axis but the last (features), as PyTorch's
 * `F.batch_norm(training=True)`: y = (x − μ)/√(σ² + ε)·γ + β with the batch mean μ and biased
 * variance σ². `running` statistics, when given, are updated as PyTorch does.
 *
 * The gradient is PyTorch's closed form, with x̂ the normalized input and n values per feature:
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/√(σ² + ε)·(dy − dβ/n − x̂·dγ/n). On the native backend the
 * forward pass (with the running averages) and the gradient are TensorFlow's
 * `FusedBatchNormV3`/`FusedBatchNormGradV3`.
 */
export function batchNormTraining(
  x: tf.Tensor,
  weight: tf.Tensor1D | null,
  bias: tf.Tensor1D | null,
  eps: number,
  running?: RunningStats
): tf.Tensor {
  const features = x.shape[x.rank - 1];
  const count = x.size / features;
  const axes = x.shape.slice(0, -1).map((_, i) => i);
  if (!customGradientsAllowed()) {
    return tf.tidy(() => {
      const { mean, variance } = tf.moments(x, axes);
      if (running) updateRunning(running, mean, variance, count);
      return normalizeWith(x, mean, variance, eps, weight, bias);
    });
  }
  const native = nativeBackend();
  const params = [weight, bias].filter((p): p is tf.Tensor1D => p !== null);
  const gradFor = (dx: tf.Tensor, dGamma: tf.Tensor, dBeta: tf.Tensor): tf.Tensor[] => {
    const grads = [dx];
    if (weight) grads.push(dGamma);
    else dGamma.dispose();
    if (bias) grads.push(dBeta);
    else dBeta.dispose();
    return grads;
  };

  if (native) {
    const shape4 =
      x.rank === 4 ? x.shape : x.rank === 3 ? [...x.shape.slice(0, 2), 1, features] : [count, 1, 1, features];
    const op = customOp(([input], save) => {
      const scale = weight ?? tf.ones([features]);
      const offset = bias ?? tf.zeros([features]);
      const x4 = reshapeTo(input, shape4) as tf.Tensor4D;
      const { y, runningMean, runningVariance, reserve } = nativeFusedBatchNorm(
        native,
        x4,
        scale as tf.Tensor1D,
        offset as tf.Tensor1D,
        eps,
        running
      );
      if (running) {
        running.mean.assign(runningMean);
        running.variance.assign(runningVariance);
      }
      save([x4, scale, ...reserve]);
      return {
        value: reshapeTo(y, input.shape),
        gradFunc: (dy, [savedX, savedScale, ...savedReserve]) =>
          tf.tidy(() => {
            const dy4 = reshapeTo(dy, shape4) as tf.Tensor4D;
            const [dx, dGamma, dBeta] = nativeFusedBatchNormGrad(
              native,
              dy4,
              savedX as tf.Tensor4D,
              savedScale as tf.Tensor1D,
              savedReserve,
              eps
            );
            return gradFor(reshapeTo(dx, input.shape), dGamma, dBeta);
          })
      };
    });
    return op(x, ...params);
  }

  const op = customOp(([input], save) => {
    const { mean, variance } = tf.moments(input, axes);
    if (running) updateRunning(running, mean, variance, count);
    const invStd = tf.rsqrt(tf.add(variance, eps));
    const normalized = tf.mul(tf.sub(input, mean), invStd);
    let y = weight ? tf.mul(normalized, weight) : normalized;
    if (bias) y = tf.add(y, bias);
    save([normalized, weight ? tf.mul(weight, invStd) : invStd]);
    return {
      value: y,
      gradFunc: (dy, [xHat, scale]) =>
        tf.tidy(() => {
          const dBeta = tf.sum(dy, axes);
          const dGamma = tf.sum(tf.mul(dy, xHat), axes);
          const centred = tf.sub(tf.sub(dy, tf.div(dBeta, count)), tf.mul(xHat, tf.div(dGamma, count)));
          return gradFor(tf.mul(centred, scale), dGamma, dBeta);
        })
    };
  });
  return op(x, ...params);
}

/** max(x, 0); on the native backend its gradient is TensorFlow's `ReluGrad` (one pass). */
export function relu(x: tf.Tensor): tf.Tensor {
  const native = nativeBackend();
  if (!native || !customGradientsAllowed()) return tf.relu(x);
  const op = customOp(([input], save) => {
    const y = tf.relu(input);
    save([y]);
    return { value: y, gradFunc: (dy, [output]) => nativeReluGrad(native, dy, output) };
  });
  return op(x);
}

/**
 * A PyTorch `[out, in, kh, kw]` convolution weight in TF's `[kh, kw, in, out]` layout. (Once per
 * call: the weights change at every training step. Other routes through 2-D and 3-D transposes
 * were not measurably faster on the native backend.)
 */
export function torchFilterToTf(weight: tf.Tensor4D): tf.Tensor4D {
  return tf.transpose(weight, [2, 3, 1, 0]);
}

/** Output size of PyTorch's convolution/pooling along one axis (floor mode). */
function torchOutSize(size: number, effectiveKernel: number, stride: number, padding: number): number {
  return Math.floor((size + 2 * padding - effectiveKernel) / stride) + 1;
}

/**
 * True when TF's `'same'` padding along an axis is PyTorch's symmetric `padding`: the same
 * output size and the same padding before the first element (what TF adds after it is only read
 * where PyTorch reads its own padding, or not at all). Always so for stride 1 and
 * padding = (effective kernel − 1)/2; for a stride of 2 with a 3×3 kernel and padding 1, only for
 * odd sizes.
 */
export function samePaddingMatches(
  size: number,
  kernelSize: number,
  stride: number,
  padding: number,
  dilation = 1
): boolean {
  const effective = dilation * (kernelSize - 1) + 1;
  const outSame = Math.ceil(size / stride);
  const totalSame = Math.max((outSame - 1) * stride + effective - size, 0);
  return torchOutSize(size, effective, stride, padding) === outSame && Math.floor(totalSame / 2) === padding;
}

/**
 * PyTorch's symmetric padding as [before, after]: `after` is cut to what the strided windows read
 * (a stride of 2 on an even size never reads the last padded row), so a pad + `'valid'` copies less.
 */
function trimmedPadding(size: number, effectiveKernel: number, stride: number, padding: number): [number, number] {
  const out = torchOutSize(size, effectiveKernel, stride, padding);
  const needed = (out - 1) * stride + effectiveKernel;
  return [padding, Math.min(padding, Math.max(0, needed - size - padding))];
}

/**
 * PyTorch's `F.conv2d(x, w, stride, padding, dilation)` on NHWC input with an HWIO filter: TF's
 * `'same'` where it is the same padding, elsewhere zero padding and a `'valid'` convolution.
 * (TF.js's explicit padding is rejected by tfjs-node's gradients, and TensorFlow's own
 * explicit-padding gradient kernels are several times slower than pad + `'valid'`.)
 */
export function conv2dTorch(
  x: tf.Tensor4D,
  filter: tf.Tensor4D,
  stride: number,
  padding: number,
  dilation = 1
): tf.Tensor4D {
  const [, height, width] = x.shape;
  const [kh, kw] = filter.shape;
  if (padding === 0) return tf.conv2d(x, filter, stride, 'valid', 'NHWC', dilation);
  if (
    samePaddingMatches(height, kh, stride, padding, dilation) &&
    samePaddingMatches(width, kw, stride, padding, dilation)
  ) {
    return tf.conv2d(x, filter, stride, 'same', 'NHWC', dilation);
  }
  const [top, bottom] = trimmedPadding(height, dilation * (kh - 1) + 1, stride, padding);
  const [left, right] = trimmedPadding(width, dilation * (kw - 1) + 1, stride, padding);
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0]
    ]);
    return tf.conv2d(padded, filter, stride, 'valid', 'NHWC', dilation);
  });
}

/**
 * PyTorch's `F.conv2d(x, weight, stride, padding, dilation)` on NHWC input with PyTorch's
 * `[out, in, kh, kw]` weight. A convolution with a single output position (a 3×3 convolution on
 * a 1×1 map, as in ResNet's last stage on 32×32 images) is one matrix product over the kernel
 * taps that read the input: taps that only ever read zero padding are skipped, and the weight is
 * used in its own layout (no transpose). Otherwise the weight is brought to TF's layout and
 * convolved by {@link conv2dTorch}.
 */
export function conv2dTorchWeight(
  x: tf.Tensor4D,
  weight: tf.Tensor4D,
  stride: number,
  padding: number,
  dilation = 1
): tf.Tensor4D {
  const [batch, height, width, channels] = x.shape;
  const [outChannels, inChannels, kh, kw] = weight.shape;
  const single =
    dilation === 1 &&
    torchOutSize(height, kh, stride, padding) === 1 &&
    torchOutSize(width, kw, stride, padding) === 1 &&
    kh > padding &&
    kw > padding;
  if (!single || channels !== inChannels) return conv2dTorch(x, torchFilterToTf(weight), stride, padding, dilation);
  // The window of the only output starts at −padding: input row r meets kernel row r + padding.
  const rows = Math.min(height, kh - padding);
  const cols = Math.min(width, kw - padding);
  return tf.tidy(() => {
    const window = rows === height && cols === width ? x : tf.slice(x, [0, 0, 0, 0], [batch, rows, cols, channels]);
    const weightMatrix = (rows === kh && cols === kw ? weight : kernelTaps(weight, padding, rows, cols)).reshape([
      outChannels,
      inChannels * rows * cols
    ]);
    // Both flattened in (in, row, col) order; the window is the small side to permute.
    const windowMatrix =
      rows * cols === 1
        ? window.reshape([batch, channels])
        : tf.transpose(window, [0, 3, 1, 2]).reshape([batch, channels * rows * cols]);
    return tf.matMul(windowMatrix, weightMatrix, false, true).reshape([batch, 1, 1, outChannels]);
  });
}

/**
 * `weight[:, :, first:first + rows, first:first + cols]` as a product with a 0/1 selection
 * matrix: exact, and its gradient (the product with the transpose) is several times faster than
 * the zero padding a slice's gradient makes on the native backend.
 */
function kernelTaps(weight: tf.Tensor4D, first: number, rows: number, cols: number): tf.Tensor {
  const [outChannels, inChannels, kh, kw] = weight.shape;
  const selection = new Float32Array(kh * kw * rows * cols);
  for (let r = 0; r < rows; r++)
    for (let c = 0; c < cols; c++) selection[((first + r) * kw + first + c) * rows * cols + r * cols + c] = 1;
  return tf.matMul(weight.reshape([outChannels * inChannels, kh * kw]), tf.tensor2d(selection, [kh * kw, rows * cols]));
}

/**
 * PyTorch's `F.max_pool2d(x, k, stride, padding)` on NHWC input (padding never wins the max):
 * TF's `'same'` where it is the same windows, else −∞ padding and `'valid'`.
 */
export function maxPool2dTorch(x: tf.Tensor4D, kernelSize: number, stride: number, padding: number): tf.Tensor4D {
  const [, height, width] = x.shape;
  if (padding === 0) return tf.maxPool(x, kernelSize, stride, 'valid');
  if (
    samePaddingMatches(height, kernelSize, stride, padding) &&
    samePaddingMatches(width, kernelSize, stride, padding)
  ) {
    return tf.maxPool(x, kernelSize, stride, 'same');
  }
  const [top, bottom] = trimmedPadding(height, kernelSize, stride, padding);
  const [left, right] = trimmedPadding(width, kernelSize, stride, padding);
  return tf.tidy(() =>
    tf.maxPool(
      tf.pad(
        x,
        [
          [0, 0],
          [top, bottom],
          [left, right],
          [0, 0]
        ],
        -Infinity
      ),
      kernelSize,
      stride,
      'valid'
    )
  );
}
