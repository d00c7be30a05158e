// The benchmark's networks written with plain TF.js ops, in TF.js's own layouts (NHWC inputs,
// HWIO filters), so they measure the backend rather than a module library. Same architectures as
// torch_bench.py and as @paramscope/core's bnCnn and resnet18: convolutions without bias, batch
// norm with PyTorch's conventions (ε = 1e-5, momentum 0.1, unbiased running variance), symmetric
// padding, max pooling padded with −∞.
//
// `layers` picks how batch norm and ReLU are computed and differentiated: `autogradLayers` (TF.js's
// autograd of their forward ops), `closedFormLayers` (hand-written gradients, PyTorch's fused
// formulas as a few whole-tensor ops; autograd makes many more passes over the activations, and
// tfjs-node's Step kernel, ReLU's gradient, alone makes six) or native-fused.mjs's.
import tf from '@tensorflow/tfjs';

/** Holds the trainable variables and the batch-norm running statistics of one network. */
class Params {
  constructor() {
    this.trainable = [];
  }

  conv(inChannels, outChannels, kernelSize) {
    const std = Math.sqrt(2 / (outChannels * kernelSize * kernelSize)); // kaiming normal, fan_out
    const filter = tf.variable(tf.randomNormal([kernelSize, kernelSize, inChannels, outChannels], 0, std));
    this.trainable.push(filter);
    return filter;
  }

  batchNorm(channels) {
    const bn = {
      gamma: tf.variable(tf.ones([channels])),
      beta: tf.variable(tf.zeros([channels])),
      runningMean: tf.variable(tf.zeros([channels]), false),
      runningVar: tf.variable(tf.ones([channels]), false)
    };
    this.trainable.push(bn.gamma, bn.beta);
    return bn;
  }

  linear(inFeatures, outFeatures) {
    const bound = 1 / Math.sqrt(inFeatures);
    const layer = {
      weight: tf.variable(tf.randomUniform([inFeatures, outFeatures], -bound, bound)),
      bias: tf.variable(tf.randomUniform([outFeatures], -bound, bound))
    };
    this.trainable.push(layer.weight, layer.bias);
    return layer;
  }
}

function spatialPadding(padding) {
  return [
    [0, 0],
    [padding, padding],
    [padding, padding],
    [0, 0]
  ];
}

/**
 * Convolution with PyTorch's symmetric zero padding. tfjs-node rejects explicit padding, so it is
 * 'same' where that is identical (stride 1, odd kernel) and tf.pad + 'valid' elsewhere.
 */
function conv2d(x, filter, stride, padding) {
  if (padding === 0) return tf.conv2d(x, filter, stride, 'valid');
  if (stride === 1 && 2 * padding === filter.shape[0] - 1) return tf.conv2d(x, filter, 1, 'same');
  return tf.conv2d(tf.pad(x, spatialPadding(padding)), filter, stride, 'valid');
}

/** PyTorch's running statistics: momentum 0.1, the unbiased batch variance. */
export function updateRunningStats(bn, mean, unbiasedVariance) {
  bn.runningMean.assign(tf.add(tf.mul(bn.runningMean, 0.9), tf.mul(mean, 0.1)));
  bn.runningVar.assign(tf.add(tf.mul(bn.runningVar, 0.9), tf.mul(unbiasedVariance, 0.1)));
}

function unbiased(variance, x) {
  const count = x.size / x.shape[3];
  return tf.mul(variance, count / (count - 1));
}

/** Training-mode batch norm: batch statistics in the output, running statistics updated. */
function batchNormAutograd(x, bn) {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  updateRunningStats(bn, mean, unbiased(variance, x));
  return tf.batchNorm(x, mean, variance, bn.beta, bn.gamma, 1e-5);
}

/**
 * The same with the closed-form gradient: with x̂ the normalized input and n values per channel,
 * dβ = Σ dy, dγ = Σ dy·x̂, dx = γ/σ · (dy − dβ/n − x̂·dγ/n).
 */
const batchNormClosedForm = tf.customGrad((x, gamma, beta, runningMean, runningVar, save) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  updateRunningStats({ runningMean, runningVar }, mean, unbiased(variance, x));
  const invStd = tf.rsqrt(tf.add(variance, 1e-5));
  const normalized = tf.mul(tf.sub(x, mean), invStd);
  save([normalized, tf.mul(gamma, invStd)]);
  return {
    value: tf.add(tf.mul(normalized, gamma), beta),
    gradFunc: (dy, [xHat, scale]) => {
      const n = dy.size / dy.shape[3];
      const dBeta = tf.sum(dy, [0, 1, 2]);
      const dGamma = tf.sum(tf.mul(dy, xHat), [0, 1, 2]);
      const dx = tf.mul(tf.sub(tf.sub(dy, tf.div(dBeta, n)), tf.mul(xHat, tf.div(dGamma, n))), scale);
      return [dx, dGamma, dBeta, tf.zerosLike(runningMean), tf.zerosLike(runningVar)];
    }
  };
});

/** ReLU whose gradient is dy·[y > 0]: three passes. */
const reluClosedForm = tf.customGrad((x, save) => {
  const y = tf.relu(x);
  save([y]);
  return { value: y, gradFunc: (dy, [output]) => tf.mul(dy, tf.cast(tf.greater(output, 0), 'float32')) };
});

export const autogradLayers = { relu: tf.relu, batchNorm: batchNormAutograd };
export const closedFormLayers = {
  relu: reluClosedForm,
  batchNorm: (x, bn) => batchNormClosedForm(x, bn.gamma, bn.beta, bn.runningMean, bn.runningVar)
};

function maxPool3x3Stride2Pad1(x) {
  return tf.maxPool(
    tf.pad(
      x,
      [
        [0, 0],
        [1, 1],
        [1, 1],
        [0, 0]
      ],
      -Infinity
    ),
    3,
    2,
    'valid'
  );
}

function linear(x, layer) {
  return tf.add(tf.matMul(x, layer.weight), layer.bias);
}

function globalAveragePool(x) {
  return tf.mean(x, [1, 2]);
}

/**
 * Per width: conv 3×3 (padding 1; stride 1 for the first, 2 after) → batch norm → ReLU; then
 * global average pooling and a linear classifier.
 */
export function bnCnn({ inChannels, widths, numClasses, layers = autogradLayers }) {
  const { relu, batchNorm } = layers;
  const params = new Params();
  let previous = inChannels;
  const stages = widths.map((width, i) => {
    const stage = { filter: params.conv(previous, width, 3), bn: params.batchNorm(width), stride: i === 0 ? 1 : 2 };
    previous = width;
    return stage;
  });
  const head = params.linear(previous, numClasses);
  const forward = (x) => {
    const features = stages.reduce((h, s) => relu(batchNorm(conv2d(h, s.filter, s.stride, 1), s.bn)), x);
    return linear(globalAveragePool(features), head);
  };
  return { forward, trainable: params.trainable };
}

/** torchvision's ResNet-18: 7×7/2 stem, max pool, four stages of two basic blocks, pooling, fc. */
export function resnet18({ inChannels, numClasses, layers = autogradLayers }) {
  const { relu, batchNorm } = layers;
  const params = new Params();
  const stem = { filter: params.conv(inChannels, 64, 7), bn: params.batchNorm(64) };
  const blocks = [];
  let previous = 64;
  [64, 128, 256, 512].forEach((planes, stage) => {
    for (let i = 0; i < 2; i++) {
      const stride = i === 0 && stage > 0 ? 2 : 1;
      const block = {
        stride,
        conv1: params.conv(previous, planes, 3),
        bn1: params.batchNorm(planes),
        conv2: params.conv(planes, planes, 3),
        bn2: params.batchNorm(planes),
        downsample:
          stride !== 1 || previous !== planes
            ? { filter: params.conv(previous, planes, 1), bn: params.batchNorm(planes) }
            : null
      };
      blocks.push(block);
      previous = planes;
    }
  });
  const fc = params.linear(512, numClasses);
  const basicBlock = (x, b) => {
    const h = relu(batchNorm(conv2d(x, b.conv1, b.stride, 1), b.bn1));
    const out = batchNorm(conv2d(h, b.conv2, 1, 1), b.bn2);
    const identity = b.downsample ? batchNorm(conv2d(x, b.downsample.filter, b.stride, 0), b.downsample.bn) : x;
    return relu(tf.add(out, identity));
  };
  const forward = (x) => {
    const h = maxPool3x3Stride2Pad1(relu(batchNorm(conv2d(x, stem.filter, 2, 3), stem.bn)));
    return linear(globalAveragePool(blocks.reduce(basicBlock, h)), fc);
  };
  return { forward, trainable: params.trainable };
}
