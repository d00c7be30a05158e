import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineExecutor } from './executor';
import { createGradientStaging } from './gradient-staging';
import { sgdRule } from './rules/sgd';

describe('gradient staging', () => {
  it('copies a gradient once per step, chunk by chunk, and hands the copy to the update', () => {
    const allocated: number[] = [];
    const staging = createGradientStaging((length) => {
      allocated.push(length);
      return new Float32Array(length);
    });
    const param = new Float32Array(200000);
    const grad = Float32Array.from({ length: 200000 }, (_, i) => i % 7);
    const chunks: Array<[number, number]> = [];
    const copy = staging.stage(param, grad, (values, start, end) => {
      expect(Array.from(values.subarray(start, end))).toEqual(Array.from(grad.subarray(start, end)));
      chunks.push([start, end]);
    });
    expect(Array.from(copy)).toEqual(Array.from(grad));
    expect(chunks).toEqual([
      [0, 65536],
      [65536, 131072],
      [131072, 196608],
      [196608, 200000]
    ]);
    expect(staging.stage(param, grad, () => chunks.push([-1, -1]))).toBe(copy); // not copied again
    expect(chunks).toHaveLength(4);
    expect(staging.staged(param, grad)).toBe(copy);
    expect(staging.staged(param, new Float32Array(200000)), 'another gradient').toBeUndefined();
    staging.reset();
    expect(staging.staged(param, grad), 'a new step').toBeUndefined();
    expect(staging.stage(param, grad)).toBe(copy); // the buffer is kept between steps
    expect(allocated).toEqual([200000]);
  });

  it('frees a copy replaced by one of another length, and every copy on clear()', () => {
    const freed: number[] = [];
    const staging = createGradientStaging(
      (length) => new Float32Array(length),
      (copy) => freed.push(copy.length)
    );
    const [a, b] = [{}, {}];
    staging.stage(a, new Float32Array(10));
    staging.stage(b, new Float32Array(20));
    staging.reset();
    staging.stage(a, new Float32Array(30)); // a's parameter changed size
    expect(freed).toEqual([10]);
    staging.clear();
    expect(freed.sort((x, y) => x - y)).toEqual([10, 20, 30]);
    expect(staging.staged(b, new Float32Array(20))).toBeUndefined();
  });

  it('keeps no copy alive once its parameter is gone (a staging that is never cleared)', () => {
    // The compiled module (make test builds it first), in a process that can force a collection.
    const entry = join(__dirname, '..', '..', 'lib', 'optim', 'gradient-staging.js');
    const script = `
      const { createGradientStaging } = require(${JSON.stringify(entry)});
      const staging = createGradientStaging((n) => new Float32Array(n));
      let collected = 0;
      const copies = new FinalizationRegistry(() => collected++);
      (() => { for (let i = 0; i < 5; i++) copies.register(staging.stage({}, new Float32Array(1000)), i); })();
      const collect = (rounds) => {
        global.gc();
        if (rounds > 0) setTimeout(() => collect(rounds - 1), 20);
        else console.log(String(collected)); // a string: a number comes out coloured under FORCE_COLOR
      };
      collect(5);`;
    const run = spawnSync(process.execPath, ['--expose-gc', '-e', script], { timeout: 30000, encoding: 'utf8' });
    expect(run.status, run.stderr).toBe(0);
    expect(Number(run.stdout.trim()), run.stdout).toBe(5);
  });

  it('on weights in the arena, the update reads the gradient the pass before it copied', () => {
    const n = 70000;
    const param = inlineExecutor.allocate(n);
    param.fill(1);
    // The buffer the update gets may differ from the one measured (tfjs-node's host copies take
    // turns): the parameter's key finds the copy.
    const next = inlineExecutor.allocate(n);
    next.fill(1);
    const key = {};
    const grad = new Float32Array(n).fill(2); // ordinary memory, as the cpu backend's gradients
    const [sums] = inlineExecutor.measure([{ param, key, grad, weightDecay: 0, withNorms: false }]);
    expect(sums[0]).toBe(4 * n);
    grad.fill(1000); // only the copy taken by the pass before counts
    const group = { lr: 0.5, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false };
    const pre = { gradSq: sums[0], weightSq: 0, decayedGradSq: 0, totalGradSq: sums[0] };
    const scalars = sgdRule.scalars(group, 1, true, pre, 0);
    inlineExecutor.update(sgdRule, [{ param: next, key, grad, slots: [], scalars }]);
    expect(next.every((w) => w === 0)).toBe(true); // 1 − 0.5·2
  });
});
