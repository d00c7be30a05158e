/**
 * torchvision's ResNet (v1.5: the stride sits on the 3×3 convolution of a bottleneck), with
 * exactly torchvision's module names, parameter names, shapes and initialisation: conv weights
 * kaiming-normal (fan_out, ReLU gain), BatchNorm γ = 1 and β = 0, the classifier PyTorch's default.
 */
import * as tf from '@tensorflow/tfjs';
import { Module } from './module';
import { AdaptiveAvgPool2d, Conv2d, Flatten, Linear, MaxPool2d, ReLU, Sequential } from './layers';
import { BatchNorm2d } from './norm';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

function conv(inChannels: number, outChannels: number, kernelSize: number, stride: number): Conv2d {
  return new Conv2d(inChannels, outChannels, kernelSize, {
    stride,
    padding: (kernelSize - 1) / 2,
    bias: false,
    weightInit: 'kaiming-normal-fan-out'
  });
}

function downsample(inChannels: number, outChannels: number, stride: number): Sequential | null {
  if (stride === 1 && inChannels === outChannels) return null;
  return new Sequential(conv(inChannels, outChannels, 1, stride), new BatchNorm2d(outChannels));
}

/** ResNet-18/34's residual block: two 3×3 convolutions and an identity or projection shortcut. */
export class BasicBlock extends Module {
  readonly kind = 'BasicBlock';
  static readonly expansion = 1;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly relu: ReLU;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly downsample: Sequential | null;

  constructor(inChannels: number, planes: number, stride = 1) {
    super();
    this.conv1 = this.registerModule('conv1', conv(inChannels, planes, 3, stride));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.relu = this.registerModule('relu', new ReLU());
    this.conv2 = this.registerModule('conv2', conv(planes, planes, 3, 1));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    const shortcut = downsample(inChannels, planes, stride);
    this.downsample = shortcut && this.registerModule('downsample', shortcut);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      const out = this.bn2.call(this.conv2.call(this.relu.call(this.bn1.call(this.conv1.call(x)))));
      const identity = this.downsample ? this.downsample.call(x) : x;
      return this.relu.call(tf.add(out, identity));
    });
  }
}

/** ResNet-50's residual block: 1×1 reduce, 3×3 (strided), 1×1 expand by 4, and a shortcut. */
export class Bottleneck extends Module {
  readonly kind = 'Bottleneck';
  static readonly expansion = 4;
  private readonly conv1: Conv2d;
  private readonly bn1: BatchNorm2d;
  private readonly conv2: Conv2d;
  private readonly bn2: BatchNorm2d;
  private readonly conv3: Conv2d;
  private readonly bn3: BatchNorm2d;
  private readonly relu: ReLU;
  private readonly downsample: Sequential | null;

  constructor(inChannels: number, planes: number, stride = 1) {
    super();
    const out = planes * Bottleneck.expansion;
    this.conv1 = this.registerModule('conv1', conv(inChannels, planes, 1, 1));
    this.bn1 = this.registerModule('bn1', new BatchNorm2d(planes));
    this.conv2 = this.registerModule('conv2', conv(planes, planes, 3, stride));
    this.bn2 = this.registerModule('bn2', new BatchNorm2d(planes));
    this.conv3 = this.registerModule('conv3', conv(planes, out, 1, 1));
    this.bn3 = this.registerModule('bn3', new BatchNorm2d(out));
    this.relu = this.registerModule('relu', new ReLU());
    const shortcut = downsample(inChannels, out, stride);
    this.downsample = shortcut && this.registerModule('downsample', shortcut);
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => {
      let out = this.relu.call(this.bn1.call(this.conv1.call(x)));
      out = this.relu.call(this.bn2.call(this.conv2.call(out)));
      out = this.bn3.call(this.conv3.call(out));
      const identity = this.downsample ? this.downsample.call(x) : x;
      return this.relu.call(tf.add(out, identity));
    });
  }
}

type BlockClass = (typeof BasicBlock | typeof Bottleneck) & { expansion: number };

/** torchvision's ResNet: stem, four stages, global pooling and a linear classifier (NHWC input). */
export class ResNet extends Module {
  readonly kind = 'ResNet';
  private readonly stem: Module[];
  private readonly head: Module[];

  constructor(block: BlockClass, layers: [number, number, number, number], numClasses = 1000) {
    super();
    if (!Number.isInteger(numClasses) || numClasses <= 0) {
      throw new CoreError(`ResNet: numClasses must be a positive integer, got ${describeValue(numClasses)}`);
    }
    this.stem = [
      this.registerModule('conv1', conv(3, 64, 7, 2)),
      this.registerModule('bn1', new BatchNorm2d(64)),
      this.registerModule('relu', new ReLU()),
      this.registerModule('maxpool', new MaxPool2d(3, 2, 1))
    ];
    let inChannels = 64;
    [64, 128, 256, 512].forEach((planes, stage) => {
      const blocks: Module[] = [];
      for (let i = 0; i < layers[stage]; i++) {
        blocks.push(new block(inChannels, planes, i === 0 && stage > 0 ? 2 : 1));
        inChannels = planes * block.expansion;
      }
      this.stem.push(this.registerModule(`layer${stage + 1}`, new Sequential(...blocks)));
    });
    this.head = [this.registerModule('avgpool', new AdaptiveAvgPool2d()), new Flatten()];
    this.head.push(this.registerModule('fc', new Linear(512 * block.expansion, numClasses)));
  }

  forward(x: tf.Tensor): tf.Tensor {
    return tf.tidy(() => [...this.stem, ...this.head].reduce((h, module) => module.call(h), x));
  }
}

/** torchvision's `resnet18()`: 62 parameter tensors, 11,689,512 values. */
export function resnet18(options: { numClasses?: number } = {}): ResNet {
  return new ResNet(BasicBlock, [2, 2, 2, 2], options.numClasses);
}

/** torchvision's `resnet50()`: 161 parameter tensors, 25,557,032 values. */
export function resnet50(options: { numClasses?: number } = {}): ResNet {
  return new ResNet(Bottleneck, [3, 4, 6, 3], options.numClasses);
}
