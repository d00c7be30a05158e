/**
 * The program language's `sign` in every derived form (scalar loop, TF.js ops on cpu and wasm,
 * WebAssembly SIMD through Lion's loop), against torch.sign on CPU: torch 2.13 gives
 * sign([NaN, -0, 0, -2, 3, Inf, -Inf, 1e-45, -1e-45]) = [0, 0, 0, -1, 1, 1, -1, 1, -1].
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { inlineExecutor, scalarExecutor } from '../executor';
import { simdEngine } from '../simd/driver';
import { SIMD_BLOCK } from '../simd/kernels';
import { lionRule } from './lion';
import { variantFor, type ElementProgram } from './program';
import type { UpdateRule } from './rule';
import { scalarKernelOf } from './scalar-kernel';
import { tensorStep } from './tensor-kernel';

const INPUT = [NaN, -0, 0, -2, 3, Infinity, -Infinity, 1e-45, -1e-45];
const TORCH = [0, 0, 0, -1, 1, 1, -1, 1, -1];

/** w ← sign(g); slot 0 ← sign(scale · g) (a sign of a computed value). */
const signProgram: ElementProgram<{ scale: number }> = {
  name: 'sign-test',
  optional: {},
  switches: [],
  unroll: 1,
  body: (x) => ({
    stores: [
      ['slot0', x.sign(x.mul(x.scalar('scale'), x.grad))],
      ['param', x.sign(x.grad)]
    ],
    sums: []
  })
};

/** Exact comparison that tells +0 from −0 (torch's sign gives +0). */
const expectSigns = (actual: ArrayLike<number>, expected: number[]) =>
  expect(Array.from(actual).map((v) => (Object.is(v, -0) ? '-0' : v))).toEqual(expected);

describe('sign in the program language', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  it('scalar loop: torch.sign, +0 for ±0 and NaN', () => {
    const param = new Float32Array(INPUT.length);
    const slot = new Float32Array(INPUT.length);
    scalarKernelOf(variantFor(signProgram, {}))(
      param,
      Float32Array.from(INPUT),
      [slot],
      0,
      INPUT.length,
      { scale: 2 },
      new Float64Array(2)
    );
    expectSigns(param, TORCH);
    expectSigns(slot, TORCH);
  });

  it.each(['cpu', 'wasm'])('TF.js ops on %s: the same', async (backend) => {
    await tf.setBackend(backend);
    const [param, slot] = tf.tidy(() => {
      const step = tensorStep(signProgram, tf.zeros([INPUT.length]), tf.tensor1d(INPUT), [tf.zeros([INPUT.length])], {
        scale: 2
      });
      return [step.param.dataSync(), step.slots[0].dataSync()];
    });
    expectSigns(param, TORCH);
    expectSigns(slot, TORCH);
  });

  it.runIf(simdEngine() !== null)("SIMD (Lion's loop): w − η·sign(c) with c = 0.1·g exact for these g", () => {
    // m = 0, β₁ = 0.9: c = 0 + 0.1·(g − 0); η = 0.5, w = 1: w' = 1 − 0.5·sign(c).
    const n = SIMD_BLOCK * Math.ceil(INPUT.length / SIMD_BLOCK);
    const grad = Float32Array.from({ length: n }, (_, i) => INPUT[i % INPUT.length]);
    const group = {
      lr: 0.5,
      betas: [0.9, 0.99],
      weightDecay: 0,
      caution: false,
      correctedWeightDecay: false,
      maxLrSnapshot: 0.5,
      maximize: false
    };
    const rule = lionRule as UpdateRule<never, unknown>;
    const task = () => ({
      param: new Float32Array(n).fill(1),
      grad,
      slots: [new Float32Array(n)],
      scalars: rule.scalars(group as never, 1, true, { gradSq: 0, weightSq: 0, decayedGradSq: 0 })
    });
    const [simd, scalar] = [task(), task()];
    inlineExecutor.update(rule, [simd]);
    scalarExecutor.update(rule, [scalar]);
    // 0.1·1e-45 underflows to ±0 in float32: sign 0 there, in both loops.
    const expected = Array.from({ length: n }, (_, i) => 1 - 0.5 * [0, 0, 0, -1, 1, 1, -1, 0, 0][i % INPUT.length]);
    expect(Array.from(simd.param)).toEqual(expected);
    expect(Array.from(scalar.param)).toEqual(expected);
  });
});
