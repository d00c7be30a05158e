import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AdamW, inlineExecutor, LARS, OptimizerError, SGD, type KernelExecutor, type UpdateTask } from '../optim';
import { GRAD_SQUARES } from '../optim/rules/program';
import type { UpdateRule } from '../optim/rules/rule';
import { sgdRule } from '../optim/rules/sgd';
import { simdArena } from '../optim/simd/arena';
import { simdEngine } from '../optim/simd/driver';
import { largestDifference, smallModel, SPLIT_VALUES, stepInLockstep } from '../../test-utils/lockstep';
import { copyingCallerShare, createThreadExecutor } from './thread-executor';

const executor = createThreadExecutor({ threads: 2, minSplitSize: 1024 });

beforeAll(async () => {
  await tf.setBackend('cpu');
});
afterAll(() => executor.close());

describe('worker-thread executor', () => {
  it('has the SIMD arena in Node (without it every fast path falls back, silently)', () => {
    expect(simdArena()).not.toBeNull();
    expect(simdEngine()).not.toBeNull();
  });

  for (const [name, make] of [
    [
      'SGD',
      (params: tf.Variable[], options: object) =>
        new SGD(params, { lr: 0.1, momentum: 0.9, nesterov: true, weightDecay: 1e-4 }, options)
    ],
    ['AdamW', (params: tf.Variable[], options: object) => new AdamW(params, { lr: 1e-3, amsgrad: true }, options)],
    ['LARS', (params: tf.Variable[], options: object) => new LARS(params, { lr: 0.1, weightDecay: 1e-4 }, options)]
  ] as const) {
    it(`${name}: splits large tensors across threads and matches the single-thread result`, () => {
      const inline = smallModel(1);
      const threaded = smallModel(1);
      const a = make(inline, {});
      const b = make(threaded, { executor });
      const before = executor.updatedValues.workers;
      stepInLockstep(a, b, inline, threaded, 5);
      expect(executor.updatedValues.workers - before).toBeGreaterThan(5 * SPLIT_VALUES * 0.4);
      // LARS's norms are summed in a different order across threads: equal up to rounding.
      const tolerance = name === 'LARS' ? 1e-6 : 0;
      inline.forEach((v, i) => expect(largestDifference(v, threaded[i])).toBeLessThanOrEqual(tolerance));
      expect(JSON.stringify(b.stateDict().paramGroups)).toBe(JSON.stringify(a.stateDict().paramGroups));
      tf.dispose([...inline, ...threaded]);
    });
  }

  it('gives the calling thread its share of each split tensor', async () => {
    const quarter = createThreadExecutor({ threads: 2, minSplitSize: 1024, callerShare: 0.25 });
    const [w] = smallModel(3);
    const opt = new SGD([w], { lr: 0.1 }, { executor: quarter });
    const g = tf.onesLike(w);
    opt.step(new Map([[w, g]]));
    expect(quarter.updatedValues.caller / w.size).toBeCloseTo(0.25, 2);
    expect(quarter.updatedValues.workers + quarter.updatedValues.caller).toBe(w.size);
    // By default the calling thread takes an equal share.
    const before = { ...executor.updatedValues };
    const [v] = smallModel(4);
    const sgd = new SGD([v], { lr: 0.1 }, { executor });
    const ones = tf.onesLike(v);
    sgd.step(new Map([[v, ones]]));
    expect((executor.updatedValues.caller - before.caller) / v.size).toBeCloseTo(0.5, 2);
    tf.dispose([v, ones]);
    tf.dispose([w, g]);
    await quarter.close();
    expect(() => createThreadExecutor({ callerShare: 1.5 })).toThrow(/callerShare must be in \[0, 1\], got 1.5/);
    expect(() => createThreadExecutor({ thread: 2 } as object)).toThrow(OptimizerError);
    expect(() => createThreadExecutor({ thread: 2 } as object)).toThrow(
      /unknown key "thread" in options; did you mean threads\?/
    );
  });

  // SGD's Σ g² is taken while the gradient is staged; LARS's norms are measured by both threads.
  for (const [name, make] of [
    [
      'SGD',
      (w: tf.Variable) => new SGD([{ name: 'conv1.weight', variable: w }], { lr: 0.1, momentum: 0.9 }, { executor })
    ],
    [
      'LARS',
      (w: tf.Variable) => new LARS([{ name: 'conv1.weight', variable: w }], { lr: 0.1, momentum: 0.9 }, { executor })
    ]
  ] as const) {
    // conv1.weight has 9,408 values: the calling thread's part (an equal share) ends at 4,704.
    for (const [where, at] of [
      ["the calling thread's share", 3],
      ["the calling thread's share, last value", 4703],
      ["a worker's share, first value", 4704],
      ["a worker's share", -3]
    ] as const) {
      it(`${name}: refuses a non-finite gradient in ${where}, with nothing updated`, () => {
        const [w] = smallModel(7);
        const opt = make(w);
        const ok = tf.onesLike(w);
        opt.step(new Map([[w, ok]]));
        const before = Array.from(w.dataSync());
        const state = JSON.stringify(opt.stateDict());
        const g = tf.tidy(() => {
          const values = new Float32Array(w.size).fill(0.5);
          values[(at + w.size) % w.size] = NaN;
          return tf.tensor(values, w.shape);
        });
        expect(() => opt.step(new Map([[w, g]]))).toThrow(/non-finite gradient .* 'conv1.weight'/);
        expect(Array.from(w.dataSync())).toEqual(before);
        expect(JSON.stringify(opt.stateDict())).toBe(state);
        tf.dispose([w, g, ok]);
      });
    }
  }

  it('does not keep the process alive when nobody closes it', () => {
    // The compiled entry (make test builds it first), in a process of its own that must exit.
    const entry = join(__dirname, '..', '..', 'lib', 'node', 'index.js');
    const script =
      `const { createThreadExecutor } = require(${JSON.stringify(entry)}); ` + 'createThreadExecutor({ threads: 2 });';
    const run = spawnSync(process.execPath, ['-e', script], { timeout: 30000, encoding: 'utf8' });
    expect(run.error).toBeUndefined();
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });

  it('takes Σ g² of each gradient it copies, and finds a NaN in the last one', () => {
    const sizes = [5000, 70000, 3000];
    const tasks = sizes.map((n, i) => {
      const param = executor.allocate(n);
      param.fill(1);
      // Ordinary memory, as TF.js's gradients: the calling thread copies them.
      const grad = Float32Array.from({ length: n }, (_, k) => ((k % 13) - 6) * (i + 1) * 0.01);
      return { param, key: {}, grad, weightDecay: 0, withNorms: false };
    });
    const expected = tasks.map((t) => t.grad.reduce((sum, g) => sum + g * g, 0));
    // float32 SIMD sums against a float64 reference
    executor
      .measure(tasks)
      .forEach((sums, i) => expect(Math.abs(sums[0] - expected[i])).toBeLessThan(1e-5 * expected[i]));
    tasks[2].grad[2999] = Number.NaN;
    const sums = executor.measure(tasks.map((t) => ({ ...t, key: {} })));
    expect(sums.map((s) => Number.isNaN(s[0]))).toEqual([false, false, true]);
  });

  describe('an update without the pass before it (nonFinite: unchecked)', () => {
    const scalars = {
      ...sgdRule.scalars(
        { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0.01, nesterov: false, maximize: false },
        1,
        false,
        {
          gradSq: NaN,
          weightDecay: NaN,
          decayedGradSq: NaN
        } as never
      ),
      [GRAD_SQUARES]: true
    };
    const rule = sgdRule as UpdateRule<unknown, unknown>;
    const task = (executorOf: KernelExecutor, grad: Float32Array, key: object): UpdateTask<unknown> => {
      const [param, momentum] = [executorOf.allocate(grad.length), executorOf.allocate(grad.length)];
      param.fill(1);
      momentum.fill(0.5);
      return { param, key, grad, slots: [momentum], scalars };
    };

    it('gives the calling thread less when it copies for the workers too', () => {
      expect(copyingCallerShare(2)).toBeCloseTo(0.3, 10);
      expect(copyingCallerShare(3)).toBeCloseTo(0.2 / 3, 10);
      expect(copyingCallerShare(4)).toBe(0);
    });

    it('copies the workers’ part of each gradient while they run, afresh each step', () => {
      const n = 70000;
      const grad = Float32Array.from({ length: n }, (_, k) => ((k % 11) - 5) * 0.01);
      const key = {};
      const [threaded, inline] = [task(executor, grad, key), task(inlineExecutor, grad.slice(), {})];
      for (let step = 0; step < 2; step++) {
        const before = executor.updatedValues.workers;
        executor.beginStep?.();
        inlineExecutor.beginStep?.();
        const [a] = executor.update(rule, [threaded]);
        const [b] = inlineExecutor.update(rule, [inline]);
        // The calling thread, which copies the workers' part too, updates less than half itself.
        expect(executor.updatedValues.workers - before).toBe(n - Math.ceil((n * copyingCallerShare(2)) / 16) * 16);
        expect(Array.from(threaded.param)).toEqual(Array.from(inline.param));
        expect(Array.from(threaded.slots[0])).toEqual(Array.from(inline.slots[0]));
        // Σ g² in float32 lanes, over other ranges than the calling thread's alone
        const gradSq = grad.reduce((sum, g) => sum + g * g, 0);
        expect(a[2] / gradSq).toBeCloseTo(1, 4);
        expect(b[2] / gradSq).toBeCloseTo(1, 4);
        // The same array with new values: a copy kept from the last step would be stale.
        grad.reverse();
        inline.grad.reverse();
      }
    });

    it('releases the workers unchanged when copying a gradient fails, and goes on working', () => {
      const grad = new Float32Array(70000).fill(0.25);
      grad.subarray = () => {
        throw new Error('gradient unreadable');
      };
      const failing = task(executor, grad, {});
      executor.beginStep?.();
      expect(() => executor.update(rule, [failing])).toThrow(/gradient unreadable/);
      expect(failing.param.every((w) => w === 1)).toBe(true);
      expect(failing.slots[0].every((b) => b === 0.5)).toBe(true);
      const working = task(executor, new Float32Array(70000).fill(0.25), {});
      executor.beginStep?.();
      executor.update(rule, [working]);
      expect(working.param.every((w) => w !== 1)).toBe(true);
    });
  });
});
