/** The README's training loop: an nn model, structural groups, AdamW with warm-up then cosine. */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, expect, it } from 'vitest';
import { groupParams, groupsForLars } from '../index';
import { paramModelFromModule } from '../params';
import * as nn from '../nn';
import { AdamW, CosineAnnealingLR, LARS, LinearLR, SequentialLR } from './index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

it('trains a BN MLP with parameter groups, keeping BN and biases out of decay, without leaks', () => {
  tf.randomUniform([1], 0, 1, 'float32', 0).dispose();
  const model = nn.bnMlp([8, 32, 32, 3]);
  const x = tf.randomNormal([64, 8], 0, 1, 'float32', 1);
  const labels = tf.tidy(() => tf.oneHot(tf.argMax(tf.matMul(x, tf.randomNormal([8, 3], 0, 1, 'float32', 2)), 1), 3));
  // With a sample input the parameter model knows which weights feed batch norm.
  const { groups } = groupParams(paramModelFromModule(model, { sampleInput: x }), { weightDecay: 0.05 });
  const optimizer = new AdamW(groups, { lr: 1e-2 });
  const scheduler = new SequentialLR(optimizer, {
    schedulers: [
      new LinearLR(optimizer, { startFactor: 0.1, totalIters: 5 }),
      new CosineAnnealingLR(optimizer, { tMax: 55 })
    ],
    milestones: [5]
  });
  const lossFn = () => tf.losses.softmaxCrossEntropy(labels, model.call(x)) as tf.Scalar;
  const losses: number[] = [];
  const before = tf.memory().numTensors;
  for (let epoch = 0; epoch < 60; epoch++) {
    const { loss, grads } = nn.lossAndGrads(model, lossFn);
    optimizer.step(grads);
    scheduler.step();
    losses.push(loss.dataSync()[0]);
    loss.dispose();
    nn.disposeGrads(grads);
  }
  expect(tf.memory().numTensors).toBe(before);
  expect(losses[59]).toBeLessThan(losses[0] * 0.5);
  const noDecay = optimizer.paramGroups.find((g) => g.weightDecay === 0);
  expect(noDecay?.params.map((p) => p.name)).toEqual(
    expect.arrayContaining(['1.weight', '1.bias', '4.weight', '4.bias', '6.bias'])
  );
  const diagnostics = optimizer.diagnostics();
  expect(diagnostics).toHaveLength(optimizer.paramGroups.reduce((n, g) => n + g.params.length, 0));
  const hidden = diagnostics.find((d) => d.name === '3.weight');
  expect(hidden?.scaleInvariant).toBe(true);
  // Diagnostics describe the last step: its learning rate is the one before the scheduler's step.
  expect(hidden?.lr).toBeGreaterThan(optimizer.paramGroups[hidden?.groupIndex ?? 0].lr);
  expect(hidden?.effectiveLr).toBeCloseTo(hidden!.lr / hidden!.weightNorm ** 2, 12);
  tf.dispose([x, labels]);
});

it("passes the document's LARS groups (section 6.3) straight to LARS: no adaptation or decay where they say so", () => {
  const model = nn.bnMlp([6, 16, 2]);
  const x = tf.randomNormal([32, 6], 0, 1, 'float32', 3);
  const target = tf.randomNormal([32, 2], 0, 1, 'float32', 4);
  const groups = groupsForLars(model, { weightDecay: 1e-4 });
  const optimizer = new LARS(groups, { lr: 0.5, trustCoefficient: 0.02 });
  expect(optimizer.paramGroups.map((g) => [g.label, g.weightDecay, g.layerAdaptation])).toEqual([
    ['decay', 1e-4, true],
    ['no_decay', 0, false]
  ]);
  for (let i = 0; i < 3; i++) {
    const { loss, grads } = nn.lossAndGrads(
      model,
      () => tf.losses.meanSquaredError(target, model.call(x)) as tf.Scalar
    );
    optimizer.step(grads);
    tf.dispose([loss, grads]);
  }
  const byName = new Map(optimizer.diagnostics().map((d) => [d.name, d]));
  expect(byName.get('3.bias')?.trustRatio).toBe(1);
  expect(byName.get('0.weight')?.trustRatio).toBeLessThan(1);
  // The recipe tests names: BatchNorm '1' has neither 'bn' nor 'norm' in its name, so it adapts.
  expect(byName.get('1.weight')?.trustRatio).not.toBe(1);
  tf.dispose([x, target]);
});
