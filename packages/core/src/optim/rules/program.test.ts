/** The program backends on a rule outside the registry, and the checks on a program's shape. */
import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { allVariants, GRAD_SQUARES, updateStep, variantFor, type ElementProgram } from './program';
import { scalarKernelOf, scalarKernelSource } from './scalar-kernel';
import { tensorStep } from './tensor-kernel';

/**
 * An RMSprop-like rule outside the registry: v ← αv + (1 − α)g²; w ← w − η·g / (√v + ε), ±∇ an
 * optional term; the switch `floored` floors v at ε.
 */
interface ToyScalars {
  lr: number;
  alpha: number;
  oneMinusAlpha: number;
  eps: number;
  gradSign: number;
  floored: boolean;
}
const toy: ElementProgram<ToyScalars> = {
  name: 'toy',
  optional: { gradSign: 1 },
  switches: ['floored'],
  unroll: 1,
  body(x) {
    const g = x.scaled('gradSign', x.grad);
    const v = x.add(x.mul(x.scalar('alpha'), x.slot(0)), x.mul(x.mul(x.scalar('oneMinusAlpha'), g), g));
    const square = x.on('floored') ? x.max(v, x.scalar('eps')) : v;
    const next = x.sub(x.param, x.div(x.mul(x.scalar('lr'), g), x.add(x.sqrt(square), x.scalar('eps'))));
    return updateStep(x, x.param, next, [v]);
  }
};

describe('rule programs', () => {
  it('builds one variant per combination of terms and picks it from the scalars', () => {
    expect(allVariants(toy).map((v) => v.name)).toEqual(['toy', 'toy+gradSign', 'toy+floored', 'toy+gradSign+floored']);
    const scalars = { lr: 0.1, alpha: 0.9, oneMinusAlpha: 0.1, eps: 1e-3, gradSign: -1, floored: false };
    expect(variantFor(toy, scalars).name).toBe('toy+gradSign');
    // A term at its identity value is left out, with its scalar.
    expect(variantFor(toy, { ...scalars, gradSign: 1 }).scalars).toEqual(['alpha', 'oneMinusAlpha', 'lr', 'eps']);
  });

  it('derives the tensor-op step from the same program as the scalar loop', () => {
    const n = 37;
    const values = (seed: number, offset = 0) =>
      Float32Array.from({ length: n }, (_, i) => Math.sin(seed * 7 + i) * 0.5 + offset);
    const scalars = { lr: 0.05, alpha: 0.9, oneMinusAlpha: 0.1, eps: 1e-3, gradSign: -1, floored: true };
    const [param, grad, slot] = [values(1), values(2), values(3, 1)];
    const out = new Float64Array(2);
    const expected = [param.slice(), slot.slice()];
    scalarKernelOf(variantFor(toy, scalars))(expected[0], grad, [expected[1]], 0, n, scalars, out);
    const step = tf.tidy(() => {
      const result = tensorStep(toy, tf.tensor(param), tf.tensor(grad), [tf.tensor(slot)], scalars);
      return [result.param.dataSync(), result.slots[0].dataSync()];
    });
    step.forEach((actual, k) => actual.forEach((value, i) => expect(value).toBeCloseTo(expected[k][i], 6)));
    expect(out[1]).toBeCloseTo(
      param.reduce((sum, w) => sum + w * w, 0),
      6
    );
  });

  it('adds Σ g² of the raw gradient as the last sum when the program can and the scalars ask', () => {
    const summing = { ...toy, name: 'summing', sumsGradSquares: true };
    expect(allVariants(summing).map((v) => v.name)).toEqual([
      ...['summing', 'summing+gradSign', 'summing+floored', 'summing+gradSign+floored'],
      ...['summing+gradSquares', 'summing+gradSign+gradSquares', 'summing+floored+gradSquares'],
      'summing+gradSign+floored+gradSquares'
    ]);
    const scalars = { lr: 0.1, alpha: 0.9, oneMinusAlpha: 0.1, eps: 1e-3, gradSign: -1, floored: false };
    // A program without the flag ignores the switch.
    expect(variantFor(toy, { ...scalars, [GRAD_SQUARES]: true }).name).toBe('toy+gradSign');
    const variant = variantFor(summing, { ...scalars, [GRAD_SQUARES]: true });
    expect(variant.name).toBe('summing+gradSign+gradSquares');
    const grad = Float32Array.from([3, -4, 0.5]);
    const out = new Float64Array(3);
    scalarKernelOf(variant)(Float32Array.from([1, 2, 3]), grad, [new Float32Array(3)], 0, 3, scalars, out);
    expect(out[2]).toBe(9 + 16 + 0.25); // of ∇ itself, not of the signed g the body uses
    const withoutSum = new Float64Array(3);
    scalarKernelOf(variantFor(summing, scalars))(
      Float32Array.from([1, 2, 3]),
      grad,
      [new Float32Array(3)],
      0,
      3,
      scalars,
      withoutSum
    );
    expect(withoutSum[2]).toBe(0);
    expect(withoutSum[0]).toBe(out[0]);
  });

  it('refuses a loop with more than three sums', () => {
    const many = { ...toy, name: 'many', optional: {}, switches: [], sumsGradSquares: true };
    many.body = (x) => ({ stores: [], sums: [x.param, x.param, x.param] });
    expect(() => allVariants(many)).toThrow(/update rule many: more than three sums in many\+gradSquares/);
  });

  it('refuses a program that reads an array after storing it', () => {
    const late: ElementProgram<{ lr: number }> = {
      name: 'late',
      optional: {},
      switches: [],
      unroll: 1,
      body: (x) => ({
        stores: [
          ['param', x.mul(x.scalar('lr'), x.grad)],
          ['slot0', x.param]
        ],
        sums: []
      })
    };
    expect(() => scalarKernelSource(allVariants(late)[0])).toThrow(/param is read after it is stored/);
  });
});
