import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { writableWeights } from './tensor-access';

describe('host copies of weights (backends the loops cannot write, and inPlace: false)', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('lives in the memory the executor allocates, takes turns between two buffers and commits', () => {
    const allocated: Float32Array[] = [];
    const allocate = (length: number) => {
      const values = new Float32Array(length);
      allocated.push(values);
      return values;
    };
    const w = tf.tidy(() => tf.variable(tf.tensor1d([1, 2, 3])));
    for (let step = 1; step <= 3; step++) {
      const weights = writableWeights(w, false, allocate);
      expect(weights.inPlace).toBe(false);
      expect(allocated, `step ${step}: the loops' buffer comes from the executor`).toContain(weights.values);
      weights.values[0] += 10;
      weights.commit();
      expect(Array.from(w.dataSync())).toEqual([1 + 10 * step, 2, 3]);
      // The first step makes the copy and its spare; later steps reuse them.
      expect(allocated.length, `step ${step}`).toBe(2);
    }
    w.dispose();
  });
});
