import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ensureConv2dFilterGradient } from './conv-filter-gradient';

type Shape4 = [number, number, number, number];
type Case = { stride: number; pad: 'same' | 'valid' | number; x: Shape4; w: Shape4 };
const CASES: Case[] = [
  { stride: 1, pad: 'same', x: [3, 7, 7, 4], w: [3, 3, 4, 5] },
  { stride: 2, pad: 1, x: [2, 8, 8, 3], w: [3, 3, 3, 6] },
  { stride: 2, pad: 'valid', x: [2, 9, 7, 2], w: [3, 2, 2, 4] },
  { stride: 1, pad: 0, x: [1, 5, 5, 1], w: [1, 1, 1, 3] }
];

/** The filter gradient of sum(conv(x, w)²) on the active backend, as plain numbers. */
function filterGradient(c: Case, seed: number): number[] {
  return tf.tidy(() => {
    const x = tf.randomNormal(c.x, 0, 1, 'float32', seed) as tf.Tensor4D;
    const w = tf.randomNormal(c.w, 0, 1, 'float32', seed + 1) as tf.Tensor4D;
    return Array.from(
      tf
        .grad((filter: tf.Tensor) =>
          tf
            .conv2d(x, filter as tf.Tensor4D, c.stride, c.pad)
            .square()
            .sum()
        )(w)
        .dataSync()
    );
  });
}

let reference: number[][];

beforeAll(async () => {
  await tf.setBackend('cpu');
  reference = CASES.map((c, i) => filterGradient(c, 1 + 10 * i)); // seed 0 would mean unseeded
  await tf.setBackend('wasm');
  await tf.ready();
});
afterAll(async () => {
  await tf.setBackend('cpu');
});

describe('ensureConv2dFilterGradient', () => {
  it('wasm lacks the kernel until registered; registering twice is a no-op; cpu keeps its own', () => {
    expect(tf.getKernel('Conv2DBackpropFilter', 'wasm')).toBeUndefined();
    expect(ensureConv2dFilterGradient()).toBe(true);
    expect(ensureConv2dFilterGradient()).toBe(false);
    expect(ensureConv2dFilterGradient('cpu')).toBe(false);
  });

  it.each(CASES.map((c, i) => [i, c] as const))('matches the cpu backend’s kernel (case %i)', (i, c) => {
    const got = filterGradient(c, 1 + 10 * i);
    expect(got.length).toBe(reference[i].length);
    got.forEach((v, k) => expect(Math.abs(v - reference[i][k])).toBeLessThan(1e-4 * (1 + Math.abs(reference[i][k]))));
  });

  it('frees its temporaries', () => {
    filterGradient(CASES[1], 3);
    const before = tf.memory();
    for (let i = 0; i < 3; i++) filterGradient(CASES[1], 3);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
