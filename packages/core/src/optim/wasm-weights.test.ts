import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendHeapKernels } from './simd/backend-heap';
import { simdArena } from './simd/arena';
import { AdamW, SGD } from './index';

/** The same steps on `backend`: weights and state dict after each (gradients from a fixed seed). */
async function run(backend: string, steps: number, between?: () => void) {
  await tf.setBackend(backend);
  const w = tf.variable(tf.randomNormal([300, 40], 0, 1, 'float32', 3));
  const b = tf.variable(tf.randomNormal([40], 0, 1, 'float32', 4));
  const optimizer = new AdamW([w, b], { lr: 0.01, weightDecay: 0.1 });
  const history: number[][] = [];
  const norms: number[][] = [];
  for (let step = 0; step < steps; step++) {
    const grads = new Map([
      [w, tf.randomNormal(w.shape, 0, 1, 'float32', 10 + step)],
      [b, tf.randomNormal(b.shape, 0, 1, 'float32', 20 + step)]
    ]);
    optimizer.step(grads);
    tf.dispose([...grads.values()]);
    history.push([...w.dataSync(), ...b.dataSync()]);
    norms.push(optimizer.diagnostics().flatMap((d) => [d.weightNorm, d.gradNorm, d.updateNorm]));
    between?.();
  }
  const state = optimizer.stateDict();
  optimizer.dispose();
  tf.dispose([w, b]);
  return { history, norms, state };
}

describe('optimizers on the wasm backend', () => {
  beforeAll(async () => {
    await tf.setBackend('wasm');
  });

  // Regression: the wasm backend caches matMul/conv2d weights packed for XNNPACK by data id, so
  // updating a variable's memory in place left later matMuls computing with the old weights.
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

  it('keeps the state beside the weights in the heap and updates both in place, with no copies', () => {
    expect(backendHeapKernels(), 'the SIMD loops on the heap').not.toBeNull();
    const arena = simdArena()!;
    const w = tf.variable(tf.randomNormal([256, 64], 0, 1, 'float32', 5));
    const grad = tf.randomNormal(w.shape, 0, 1, 'float32', 6);
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    optimizer.step(new Map([[w, grad]])); // owns w's storage from now on
    const before = tf.memory().numTensors;
    // Anything staged through the arena would overwrite its scratch chunks.
    arena.scratch.fill(Number.NaN);
    arena.paramScratch.fill(Number.NaN);
    optimizer.step(new Map([[w, grad]]));
    expect(tf.memory().numTensors, 'no tensor made by a step once the state exists').toBe(before);
    expect(arena.scratch.every(Number.isNaN) && arena.paramScratch.every(Number.isNaN), 'no chunk copies').toBe(true);
    optimizer.dispose();
    expect(tf.memory().numTensors, 'dispose frees the state tensors').toBe(before - 1);
    tf.dispose([w, grad]);
  });

  it('makes no state on a refused step (non-finite gradient) and leaves no tensor behind', () => {
    const w = tf.variable(tf.ones([64, 64]));
    const optimizer = new AdamW([w], { lr: 0.1 }, { nonFinite: 'skip' });
    const before = tf.memory().numTensors;
    const grad = tf.fill(w.shape, Number.NaN);
    expect(optimizer.step(new Map([[w, grad]]))).toBe(false);
    expect(tf.memory().numTensors).toBe(before + 1); // the gradient
    expect(optimizer.stateDict().state).toEqual({});
    expect(Array.from(w.dataSync()).every((v) => v === 1)).toBe(true);
    tf.dispose([w, grad]);
  });

  it('gives the cpu backend’s results, also when the heap grows between steps and after a state dict', async () => {
    const reference = await run('cpu', 4);
    let grown: tf.Tensor | undefined;
    // 256 MiB more than the heap had: it must grow, detaching every view made before.
    const grow = () => {
      grown?.dispose();
      grown = tf.zeros([64 * 1024 * 1024]);
    };
    const onWasm = await run('wasm', 4, grow);
    grown?.dispose();
    onWasm.history.forEach((values, step) => {
      const worst = Math.max(...values.map((v, i) => Math.abs(v - reference.history[step][i]) / Math.abs(v)));
      expect(worst, `step ${step}`).toBeLessThan(1e-6);
      // The loops' sums come through the heap too (a view made before it grew would read nothing).
      onWasm.norms[step].forEach((norm, k) =>
        expect(norm, `step ${step} norm ${k}`).toBeCloseTo(reference.norms[step][k], 4)
      );
    });
    expect(onWasm.state.paramGroups).toEqual(reference.state.paramGroups);

    // A state dict (held in arrays) moves into the heap at the next step.
    await tf.setBackend('wasm');
    const w = tf.variable(tf.ones([8]));
    const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9 });
    optimizer.loadStateDict({
      state: { '0': { momentumBuffer: { shape: [8], values: [1, 2, 3, 4, 5, 6, 7, 8] } } },
      paramGroups: [{ ...optimizer.stateDict().paramGroups[0], params: [0] }]
    });
    const grad = tf.zeros([8]);
    optimizer.step(new Map([[w, grad]]));
    // b ← 0.9·b; w ← 1 − 0.1·b
    const expected = [1, 2, 3, 4, 5, 6, 7, 8].map((b) => Math.fround(1 - 0.1 * Math.fround(0.9 * b)));
    expect(Array.from(w.dataSync())).toEqual(expected);
    optimizer.dispose();
    tf.dispose([w, grad]);
  });

  it('carries weights and state across backends: cpu, then wasm, then cpu again', async () => {
    const steps = async (backends: string[]) => {
      await tf.setBackend('cpu');
      const w = tf.variable(tf.randomNormal([128, 8], 0, 1, 'float32', 7));
      const optimizer = new SGD([w], { lr: 0.1, momentum: 0.9, weightDecay: 0.01 });
      for (const [step, backend] of backends.entries()) {
        await tf.setBackend(backend);
        const grad = tf.randomNormal(w.shape, 0, 1, 'float32', 30 + step);
        optimizer.step(new Map([[w, grad]]));
        grad.dispose();
      }
      const result = { weights: Array.from(w.dataSync()), state: optimizer.stateDict() };
      optimizer.dispose();
      w.dispose();
      return result;
    };
    const mixed = await steps(['cpu', 'cpu', 'wasm', 'wasm', 'cpu', 'cpu']);
    const cpu = await steps(new Array(6).fill('cpu'));
    mixed.weights.forEach((v, i) => expect(Math.abs(v - cpu.weights[i])).toBeLessThanOrEqual(1e-6 * Math.abs(v)));
    expect(mixed.state.state['0'].momentumBuffer).toEqual(cpu.state.state['0'].momentumBuffer);
    await tf.setBackend('wasm');
  });

  it('frees the state tensors of an optimizer dropped without dispose() once it is collected', () => {
    // The compiled entry (make test builds it first), in a process of its own that can force a collection.
    const entry = join(__dirname, '..', '..', 'lib', 'index.js');
    const script = `
      const tf = require('@tensorflow/tfjs');
      require('@tensorflow/tfjs-backend-wasm');
      const { AdamW } = require(${JSON.stringify(entry)});
      (async () => {
        await tf.setBackend('wasm');
        const w = tf.variable(tf.ones([1000]));
        const before = tf.memory().numTensors;
        (() => {
          const optimizer = new AdamW([w], { lr: 0.1 });
          const grad = tf.onesLike(w);
          optimizer.step(new Map([[w, grad]]));
          grad.dispose();
        })();
        const held = tf.memory().numTensors - before;
        for (let i = 0; i < 20 && tf.memory().numTensors > before; i++) {
          global.gc();
          await new Promise((resolve) => setTimeout(resolve, 10));
        }
        console.log(JSON.stringify({ held, left: tf.memory().numTensors - before }));
      })();`;
    const run = spawnSync(process.execPath, ['--expose-gc', '-e', script], {
      cwd: join(__dirname, '..', '..'),
      timeout: 60000,
      encoding: 'utf8'
    });
    expect(run.status, run.stderr).toBe(0);
    const { held, left } = JSON.parse(run.stdout.trim().split('\n').pop() as string);
    expect(held, 'AdamW keeps two state tensors in the heap').toBe(2);
    expect(left, 'freed after the collection').toBe(0);
  });
});
