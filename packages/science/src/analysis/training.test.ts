import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { nn } from '@paramscope/core';
import { meanGradients, trainClassifier } from './training';
import { createTeacherDataset } from './teacher-data';

const { bnMlp, lossAndGrads, manualSeed } = nn;

/** Plain SGD without any library optimizer, so the loop is tested on its own. */
function plainSgd(model: ReturnType<typeof bnMlp>, lr: number) {
  const byName = new Map(model.namedParameters());
  return {
    lr,
    step(grads: Record<string, tf.Tensor>) {
      for (const [name, grad] of Object.entries(grads)) {
        const variable = byName.get(name)!;
        tf.tidy(() => variable.assign(tf.sub(variable, tf.mul(grad, this.lr))));
      }
    }
  };
}

describe('trainClassifier', () => {
  it('lowers the loss, calls the hooks in order and frees its tensors', () => {
    manualSeed(1);
    const model = bnMlp([6, 8, 3]);
    const data = createTeacherDataset({ samples: 64, features: 6, classes: 3, seed: 2 });
    const optimizer = plainSgd(model, 0.2);
    const calls: string[] = [];
    trainClassifier({ model, optimizer, data, steps: 2, batchSize: 32 }); // warm up kernels before counting tensors
    const before = tf.memory().numTensors;
    const losses = trainClassifier({
      model,
      optimizer,
      data,
      steps: 60,
      batchSize: 32,
      beforeStep: (t) => t < 2 && calls.push(`before ${t}`),
      afterStep: (t, _loss, grads) => t < 2 && calls.push(`after ${t}: ${Object.keys(grads).sort().join(',')}`)
    });
    expect(tf.memory().numTensors).toBe(before);
    expect(losses).toHaveLength(60);
    expect(losses.slice(-5).reduce((a, b) => a + b) / 5).toBeLessThan(losses[0]);
    expect(calls).toEqual([
      'before 0',
      'after 0: 0.weight,1.bias,1.weight,3.bias,3.weight',
      'before 1',
      'after 1: 0.weight,1.bias,1.weight,3.bias,3.weight'
    ]);
    expect(() => trainClassifier({ model, optimizer, data, steps: 0, batchSize: 8 })).toThrow(
      /steps must be a positive integer/
    );
  });
});

describe('meanGradients', () => {
  it('averages the batch gradients of one pass over the data', () => {
    manualSeed(3);
    const model = bnMlp([4, 5, 2]);
    const data = createTeacherDataset({ samples: 8, features: 4, classes: 2, seed: 1 });
    const mean = meanGradients(model, data, 4, ['1.weight']);
    const perBatch = [0, 1].map((b) => {
      const { inputs, labels } = data.batch(b, 4);
      const { loss, grads } = lossAndGrads(
        model,
        () => tf.losses.softmaxCrossEntropy(labels, model.call(inputs)) as tf.Scalar
      );
      loss.dispose();
      return Array.from(grads['1.weight'].dataSync());
    });
    expect(mean['1.weight']).toHaveLength(5);
    mean['1.weight'].forEach((g, i) => expect(g).toBeCloseTo((perBatch[0][i] + perBatch[1][i]) / 2, 6));
    expect(mean['1.weight'].some((g) => Math.abs(g) > 1e-4)).toBe(true);
    expect(() => meanGradients(model, data, 4, ['9.weight'])).toThrow(/no trainable parameter "9.weight"/);
    expect(() => meanGradients(model, data, 16, ['1.weight'])).toThrow(/batchSize 16 exceeds the 8 samples/);
  });
});
