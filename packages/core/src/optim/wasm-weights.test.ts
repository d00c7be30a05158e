import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { AdamW, SGD } from './index';

// Regression: the wasm backend caches matMul/conv2d weights packed for XNNPACK by data id, so
// updating a variable's memory in place left later matMuls computing with the old weights.
describe('optimizers on the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  it.each([
    ['SGD', (w: tf.Variable) => new SGD([w], { lr: 0.5, momentum: 0.9 })],
    ['AdamW', (w: tf.Variable) => new AdamW([w], { lr: 0.1, weightDecay: 0.01 })]
  ])('%s: a matMul after each step sees the updated weights', (_name, make) => {
    const x = tf.randomNormal([32, 16], 1, 1, 'float32', 1);
    const w = tf.variable(tf.randomNormal([16, 8], 0, 1, 'float32', 2));
    const optimizer = make(w);
    for (let step = 0; step < 3; step++) {
      tf.matMul(x, w).dispose(); // lets the backend cache its packed copy of w
      const grad = tf.onesLike(w);
      optimizer.step(new Map([[w, grad]]));
      grad.dispose();
      const viaVariable = tf.matMul(x, w);
      const copy = tf.tensor(w.dataSync(), w.shape);
      const viaCopy = tf.matMul(x, copy);
      const diff = tf.max(tf.abs(tf.sub(viaVariable, viaCopy))).dataSync()[0];
      expect(diff, `step ${step}`).toBeLessThan(1e-4);
      tf.dispose([viaVariable, copy, viaCopy]);
    }
    tf.dispose([x, w]);
  });
});
