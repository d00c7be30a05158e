import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { nn } from '@paramscope/core';
import type { ImageDataset } from './dataset';
import { trainDecayArm, type DecayRunConfig } from './train-decay-arm';
import { seededUniform } from './random';

const { bnCnn } = nn;

/** Three classes of 8×8 images: a bright row, a bright column or a bright diagonal, plus noise. */
function stripes(count: number, seed: number): { images: number[]; labels: number[] } {
  const uniform = seededUniform(seed);
  const images: number[] = [];
  const labels: number[] = [];
  for (let n = 0; n < count; n++) {
    const label = n % 3;
    const k = Math.floor(uniform() * 8);
    for (let y = 0; y < 8; y++) {
      for (let x = 0; x < 8; x++) {
        const on = label === 0 ? y === k : label === 1 ? x === k : x === y;
        images.push((on ? 0.8 : 0) + 0.2 * uniform());
      }
    }
    labels.push(label);
  }
  return { images, labels };
}

const data: ImageDataset = { height: 8, width: 8, classes: 3, train: stripes(96, 1), test: stripes(48, 2) };
const base: DecayRunConfig = {
  arm: 'no-decay',
  weightDecay: 0.05,
  optimizer: { kind: 'sgd', lr: 0.1, momentum: 0.9 },
  schedule: 'constant',
  seed: 3,
  epochs: 8,
  batchSize: 16,
  channels: [4, 8],
  recordEvery: 2
};

beforeAll(async () => {
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('trainDecayArm', () => {
  it('learns the task, records every role’s traces and leaks no tensors', async () => {
    // What building and disposing the same network leaves behind (BN's counters), measured, not assumed.
    const baseline = tf.memory().numTensors;
    bnCnn({ inChannels: 1, channels: base.channels, numClasses: 3 }).dispose();
    const constructionResidue = tf.memory().numTensors - baseline;
    const before = tf.memory().numTensors;
    const seen: number[] = [];
    const run = await trainDecayArm(data, base, (done) => seen.push(done));
    expect(tf.memory().numTensors - before).toBe(constructionResidue);
    expect(seen).toEqual(Array.from({ length: 48 }, (_, i) => i + 1));
    expect(run.steps).toEqual(Array.from({ length: 24 }, (_, i) => 2 * i));
    expect(Object.keys(run.roles).sort()).toEqual(['bias', 'bn-fed-weight', 'norm-affine', 'other-weight']);
    for (const trace of Object.values(run.roles)) {
      expect(trace.weightNorm).toHaveLength(run.steps.length);
      expect(trace.effectiveLr).toHaveLength(run.steps.length);
      trace.weightNorm.forEach((v) => expect(v).toBeGreaterThan(0));
    }
    expect(run.loss[run.loss.length - 1]).toBeLessThan(run.loss[0]);
    expect(run.testAccuracy.recalibrated).toBeGreaterThan(0.6); // chance is 1/3
    expect(run.trainAccuracy.stale).toBeGreaterThan(0.6);
  });

  it('a cosine schedule ends with the rate near 0, so stale and recalibrated statistics nearly agree', async () => {
    const cosine = await trainDecayArm(data, { ...base, arm: 'decay-all', schedule: 'cosine' });
    const lastStep = (run: typeof cosine) => run.roles['bn-fed-weight']!.angularStep[run.steps.length - 1];
    const constant = await trainDecayArm(data, { ...base, arm: 'decay-all' });
    expect(lastStep(cosine)).toBeLessThan(0.05 * lastStep(constant));
    expect(Math.abs(cosine.trainAccuracy.stale - cosine.trainAccuracy.recalibrated)).toBeLessThanOrEqual(2 / 96);
  });

  it('without decay the norm of BN-fed weights grows; decay on them keeps it smaller and η/‖W‖² larger', async () => {
    const free = await trainDecayArm(data, { ...base, arm: 'no-decay-bn-fed' });
    const decayed = await trainDecayArm(data, { ...base, arm: 'decay-all' });
    const freeNorm = free.roles['bn-fed-weight']!.weightNorm;
    const decayedNorm = decayed.roles['bn-fed-weight']!.weightNorm;
    expect(freeNorm[0]).toBeCloseTo(decayedNorm[0], 5); // same seed, same initial weights
    expect(freeNorm[freeNorm.length - 1]).toBeGreaterThan(freeNorm[0]);
    expect(decayedNorm[decayedNorm.length - 1]).toBeLessThan(freeNorm[freeNorm.length - 1]);
    const lastLr = (run: typeof free) => run.roles['bn-fed-weight']!.effectiveLr[run.steps.length - 1];
    expect(lastLr(decayed)).toBeGreaterThan(lastLr(free));
  });

  it('is reproducible for a seed and differs across seeds; runs AdamW and Adam + L2 too', async () => {
    const config: DecayRunConfig = {
      ...base,
      epochs: 1,
      optimizer: { kind: 'adamw', lr: 3e-3 },
      arm: 'no-decay-norm-bias'
    };
    const a = await trainDecayArm(data, config);
    const b = await trainDecayArm(data, config);
    const c = await trainDecayArm(data, { ...config, seed: 4 });
    expect(b.loss).toEqual(a.loss);
    expect(c.loss).not.toEqual(a.loss);
    const coupled = await trainDecayArm(data, { ...config, optimizer: { kind: 'adam-l2', lr: 3e-3 } });
    expect(coupled.loss[0]).toBe(a.loss[0]); // same network, same first batch
    expect(coupled.loss).not.toEqual(a.loss); // decay enters the gradient instead of shrinking W
  });

  it('names the bad setting', async () => {
    await expect(trainDecayArm(data, { ...base, batchSize: 0 })).rejects.toThrow(
      /batchSize must be a positive integer, got 0/
    );
    await expect(trainDecayArm(data, { ...base, batchSize: 500 })).rejects.toThrow(
      /batchSize 500 exceeds the 96 training images/
    );
    await expect(trainDecayArm(data, { ...base, optimizer: { kind: 'lamb' as never, lr: 1 } })).rejects.toThrow(
      /optimizer.kind must be one of sgd, adamw, adam-l2, got "lamb"/
    );
    await expect(trainDecayArm(data, { ...base, schedule: 'step' as never })).rejects.toThrow(
      /schedule must be one of constant, cosine, got "step"/
    );
  });
});
