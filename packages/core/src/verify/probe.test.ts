import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  BatchNorm1d,
  Conv2d,
  BatchNorm2d,
  LayerNorm,
  Linear,
  manualSeed,
  Module,
  ReLU,
  Sequential,
  bnCnn,
  resnet18
} from '../nn';
import { probeScaleInvariance } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
  manualSeed(3);
});

/** Linear → LayerNorm directly, and Linear (bias) → ReLU → BatchNorm: both not invariant. */
class Mixed extends Module {
  readonly kind = 'Mixed';
  private readonly a = this.registerModule('a', new Linear(6, 8));
  private readonly lnA = this.registerModule('lnA', new LayerNorm(8));
  private readonly b = this.registerModule('b', new Linear(8, 8));
  private readonly relu = this.registerModule('relu', new ReLU());
  private readonly bnB = this.registerModule('bnB', new BatchNorm1d(8));
  private readonly c = this.registerModule('c', new Linear(8, 8, { bias: false }));
  private readonly lnC = this.registerModule('lnC', new LayerNorm(8));
  private readonly d = this.registerModule('d', new Linear(8, 8));
  private readonly bnD = this.registerModule('bnD', new BatchNorm1d(8));
  forward(x: tf.Tensor): tf.Tensor {
    const h = this.bnB.call(this.relu.call(this.b.call(this.lnA.call(this.a.call(x)))));
    // The ReLU matters: a LayerNorm's γ followed by a linear map into BatchNorm would be invariant
    // too, through more than one layer, which the structural verdict ("directly") does not claim.
    return this.bnD.call(this.d.call(this.relu.call(this.lnC.call(this.c.call(h)))));
  }
}

describe('probeScaleInvariance', () => {
  it('agrees with the structural verdict on a CNN, a mixed MLP and a conv with bias before BatchNorm', () => {
    const cnn = bnCnn({ inChannels: 3, channels: [4, 6], numClasses: 3 });
    const mixed = new Mixed();
    const convBias = new Sequential(new Conv2d(3, 4, 3, { padding: 1 }), new BatchNorm2d(4));
    // BatchNorm's β starts at 0, which makes γ scale-invariant too (ReLU is homogeneous): move it.
    const moveShifts = (net: Module, names: string[]) => {
      for (const [name, variable] of net.namedParameters())
        if (names.includes(name)) variable.assign(tf.randomNormal(variable.shape, 0, 1, 'float32', 11));
    };
    moveShifts(cnn, ['1.bias', '4.bias']);
    moveShifts(mixed, ['lnA.bias', 'bnB.bias', 'lnC.bias']);
    // Seeded inputs keep the test deterministic; 64 rows keep every channel's variance well above ε.
    const images = tf.randomNormal([4, 6, 6, 3], 0, 1, 'float32', 5);
    const rows = tf.randomNormal([64, 6], 0, 1, 'float32', 6);
    const before = tf.memory().numTensors;
    const runs = [
      probeScaleInvariance(cnn, images),
      probeScaleInvariance(convBias, images),
      probeScaleInvariance(mixed, rows)
    ];
    expect(tf.memory().numTensors).toBe(before);
    const verdict = (results: (typeof runs)[number]) =>
      Object.fromEntries(results.map((r) => [r.name, r.scaleInvariant]));
    expect(verdict(runs[0])).toMatchObject({
      '0.weight': true,
      '3.weight': true,
      '1.weight': false,
      '8.weight': false
    });
    // A conv bias cancels in BatchNorm: the weight alone is still invariant.
    expect(verdict(runs[1])).toEqual({ '0.weight': true, '1.weight': false });
    // The bias is invariant to any change, not only to scale; structurally it is not a scale-invariant weight.
    const [bias] = probeScaleInvariance(convBias, images, { params: ['0.bias'] });
    expect([bias.scaleInvariant, bias.structural, bias.agrees]).toEqual([true, false, false]);
    // Linear with bias into LayerNorm: not invariant. Bias then ReLU then BatchNorm: not invariant.
    // Linear without bias into LayerNorm, and Linear with bias straight into BatchNorm: invariant.
    expect(verdict(runs[2])).toMatchObject({
      'a.weight': false,
      'b.weight': false,
      'c.weight': true,
      'd.weight': true
    });
    for (const results of runs)
      for (const r of results) expect({ name: r.name, agrees: r.agrees }).toEqual({ name: r.name, agrees: true });
    expect(runs[0].find((r) => r.name === '8.weight')!.relativeChange).toBeGreaterThan(0.1);
    cnn.dispose();
    convBias.dispose();
    mixed.dispose();
  });

  it('restores weights and running statistics, and checks a ResNet-18 sample', () => {
    const net = resnet18({ numClasses: 4 });
    // Big enough that layer4's BatchNorms see many values per channel: with few, ε dominates
    // small variances and the deviation from invariance grows past the tolerance.
    const x = tf.randomNormal([4, 64, 64, 3], 0, 1, 'float32', 7);
    const before = net.namedBuffers().map(([, v]) => Array.from(v.dataSync()));
    const weight = Array.from(net.namedParameters()[0][1].dataSync().slice(0, 5));
    const names = ['conv1.weight', 'layer2.0.downsample.0.weight', 'layer1.0.bn2.weight', 'fc.weight'];
    const results = probeScaleInvariance(net, x, { params: names, scales: [2] });
    expect(results.map((r) => [r.name, r.scaleInvariant, r.agrees])).toEqual([
      ['conv1.weight', true, true],
      ['layer2.0.downsample.0.weight', true, true],
      ['layer1.0.bn2.weight', false, true],
      ['fc.weight', false, true]
    ]);
    expect(net.namedBuffers().map(([, v]) => Array.from(v.dataSync()))).toEqual(before);
    expect(Array.from(net.namedParameters()[0][1].dataSync().slice(0, 5))).toEqual(weight);
    expect(() => probeScaleInvariance(net, x, { params: ['nope'] })).toThrow(
      'probeScaleInvariance: no parameter named "nope"'
    );
    expect(() => probeScaleInvariance(net, x, { scales: [-1] })).toThrow(/scales must be positive/);
    net.dispose();
  }, 180_000);
});
