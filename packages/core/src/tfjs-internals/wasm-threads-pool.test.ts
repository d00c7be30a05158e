import os from 'node:os';
import * as tf from '@tensorflow/tfjs';
import { getThreadsCount } from '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { useThreadedWasmBackend } from './wasm-threads';

// The build sizes TF.js's kernel thread pool from the logical cores it sees (half of them, up to
// four), so on a machine of two cores it starts none: this file shows it eight, so that kernels
// run on the build's own threads, started from wasm-threads-worker.cjs.
const cpus = os.cpus;
afterAll(() => {
  os.cpus = cpus;
});

describe('the threaded wasm build’s own threads', () => {
  it('run TF.js’s kernels under Node, with the results of the cpu backend', async () => {
    await tf.setBackend('cpu');
    const a = tf.randomNormal([256, 256], 0, 1, 'float32', 1);
    const expected = tf.matMul(a, a).dataSync();
    const values = a.dataSync();
    os.cpus = () => Array.from({ length: 8 }, () => cpus()[0]);
    useThreadedWasmBackend();
    await tf.setBackend('wasm');
    os.cpus = cpus;
    expect(getThreadsCount()).toBeGreaterThan(1);
    const b = tf.tensor(values, [256, 256]);
    const got = tf.matMul(b, b).dataSync();
    let worst = 0;
    for (let i = 0; i < got.length; i++) worst = Math.max(worst, Math.abs(got[i] - expected[i]));
    expect(worst).toBeLessThan(1e-3);
  });
});
