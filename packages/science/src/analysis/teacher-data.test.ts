import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { createTeacherDataset } from './teacher-data';

describe('createTeacherDataset', () => {
  it('labels every sample with one class, uses several classes, and is reproducible', () => {
    const data = createTeacherDataset({ samples: 200, features: 6, classes: 3, seed: 4 });
    expect(data.inputs.shape).toEqual([200, 6]);
    expect(Array.from(tf.sum(data.labels, 1).dataSync())).toEqual(new Array(200).fill(1));
    const counts = Array.from(tf.sum(data.labels, 0).dataSync());
    expect(counts.filter((c) => c > 10)).toHaveLength(3);
    const again = createTeacherDataset({ samples: 200, features: 6, classes: 3, seed: 4 });
    expect(again.labels.arraySync()).toEqual(data.labels.arraySync());
  });

  it('replaces about the requested fraction of labels with random classes', () => {
    const clean = createTeacherDataset({ samples: 2000, classes: 4, seed: 9 });
    const noisy = createTeacherDataset({ samples: 2000, classes: 4, seed: 9, labelNoise: 0.4 });
    const changed = 1 - tf.sum(tf.mul(clean.labels, noisy.labels)).dataSync()[0] / 2000;
    expect(changed).toBeGreaterThan(0.4 * 0.75 - 0.05); // a random class equals the teacher's 1/4 of the time
    expect(changed).toBeLessThan(0.4 * 0.75 + 0.05);
    expect(() => createTeacherDataset({ labelNoise: 2 })).toThrow(/labelNoise must be in \[0, 1\], got 2/);
  });

  it('serves consecutive batches that wrap around', () => {
    const data = createTeacherDataset({ samples: 10, features: 2, classes: 2 });
    const { inputs } = data.batch(2, 4); // rows 8, 9, 0, 1
    const rows = data.inputs.arraySync();
    expect(inputs.arraySync()).toEqual([rows[8], rows[9], rows[0], rows[1]]);
    expect(() => data.batch(0, 11)).toThrow(/size must be an integer in \[1, 10\]/);
    expect(() => data.batch(-1, 2)).toThrow(/step must be a non-negative integer/);
    expect(() => createTeacherDataset({ classes: 0 })).toThrow(/classes must be a positive integer/);
  });
});
