/** Small batch-norm networks for the notebooks: fast on the CPU backend, easy to reason about. */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module';
import { AdaptiveAvgPool2d, Conv2d, Flatten, Linear, ReLU, Sequential } from './layers';
import { BatchNorm1d, BatchNorm2d } from './norm';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

function checkWidths(kind: string, widths: readonly number[]): void {
  if (widths.length < 2)
    throw new CoreError(`${kind}: need at least an input and an output width, got ${describeValue(widths)}`);
}

/**
 * An MLP with batch norm: for widths `[20, 32, 32, 5]`, Linear(20→32, no bias) → BatchNorm1d →
 * ReLU → Linear(32→32, no bias) → BatchNorm1d → ReLU → Linear(32→5). Hidden linear layers have no
 * bias (batch norm's β replaces it), so their weights are exactly scale-invariant in training mode.
 * Modules are named `0`, `1`, … as in `nn.Sequential`.
 */
export function bnMlp(widths: readonly number[]): Sequential {
  checkWidths('bnMlp', widths);
  const modules: Module[] = [];
  for (let i = 0; i < widths.length - 2; i++) {
    modules.push(new Linear(widths[i], widths[i + 1], { bias: false }), new BatchNorm1d(widths[i + 1]), new ReLU());
  }
  modules.push(new Linear(widths[widths.length - 2], widths[widths.length - 1]));
  return new Sequential(...modules);
}

/**
 * A CNN with batch norm on NHWC images: per entry of `channels`, Conv2d(3×3, padding 1, no bias)
 * → BatchNorm2d → ReLU (stride 2 after the first), then global average pooling, flatten and a
 * Linear classifier.
 */
export function bnCnn(options: { inChannels: number; channels: readonly number[]; numClasses: number }): Sequential {
  const { inChannels, channels, numClasses } = options;
  checkWidths('bnCnn', [inChannels, ...channels]);
  const modules: Module[] = [];
  let previous = inChannels;
  channels.forEach((width, i) => {
    const stride = i === 0 ? 1 : 2;
    modules.push(
      new Conv2d(previous, width, 3, { stride, padding: 1, bias: false }),
      new BatchNorm2d(width),
      new ReLU()
    );
    previous = width;
  });
  modules.push(new AdaptiveAvgPool2d(), new Flatten(), new Linear(previous, numClasses));
  return new Sequential(...modules);
}

/** Runs `module` on `input` without keeping intermediate tensors: convenient in notebooks. */
export function predict(module: Module, input: tf.Tensor): tf.Tensor {
  return tf.tidy(() => module.call(input));
}
