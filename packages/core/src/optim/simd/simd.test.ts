/** The SIMD kernels against the scalar ones, across chunk boundaries and with tails the scalar kernels finish. */
import { describe, expect, it } from 'vitest';
import { inlineExecutor, scalarExecutor, type UpdateTask } from '../executor';
import { adamL2Rule, adamWRule } from '../rules/adam';
import { larsRule } from '../rules/lars';
import { rmspropRule } from '../rules/rmsprop';
import { adagradRule } from '../rules/adagrad';
import { nadamRule } from '../rules/nadam';
import { radamRule } from '../rules/radam';
import { lionRule } from '../rules/lion';
import { lambMomentsRule, lambRule } from '../rules/lamb';
import { GRAD_SQUARES } from '../rules/program';
import type { PrePassSums, UpdateRule } from '../rules/rule';
import { sgdRule } from '../rules/sgd';
import { CHUNK, SIMD_BLOCK, UPDATE_KERNELS } from './kernels';
import { simdEngine, simdUpdate } from './driver';
import { runInArena, simdArena } from './arena';

function random(n: number, seed: number, scale = 1): Float32Array {
  let x = seed;
  return Float32Array.from({ length: n }, () => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return (x / 2147483648 - 0.5) * scale;
  });
}

// totalGradSq and firstPass feed LAMB's clipping divisor and trust ratio (the other rules ignore them).
const sums: PrePassSums = { gradSq: 4, weightSq: 9, decayedGradSq: 5, totalGradSq: 6, firstPass: [3, 2] };
const cases: Array<[string, UpdateRule<never, unknown>, object, number]> = [
  [
    'SGD plain',
    sgdRule as never,
    { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 1e-2, nesterov: false, maximize: true },
    0
  ],
  [
    'SGD momentum, first step',
    sgdRule as never,
    { lr: 0.1, momentum: 0.9, dampening: 0.1, weightDecay: 1e-2, nesterov: false, maximize: false },
    1
  ],
  [
    'SGD nesterov',
    sgdRule as never,
    { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: true, maximize: false },
    1
  ],
  [
    'Adam',
    adamL2Rule as never,
    { lr: 1e-3, betas: [0.9, 0.999], eps: 1e-8, weightDecay: 1e-2, amsgrad: false, maximize: true },
    2
  ],
  [
    'AdamW amsgrad',
    adamWRule as never,
    { lr: 1e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: false },
    3
  ],
  [
    'LARS nesterov',
    larsRule as never,
    {
      lr: 0.5,
      momentum: 0.9,
      weightDecay: 1e-3,
      nesterov: true,
      trustCoefficient: 0.02,
      eps: 0,
      layerAdaptation: true
    },
    1
  ]
];

describe.runIf(simdEngine() !== null)('SIMD kernels', () => {
  for (const n of [1, 3, SIMD_BLOCK, SIMD_BLOCK + 5, 2 * CHUNK + 7, 2 * CHUNK + SIMD_BLOCK - 1]) {
    for (const [name, rule, group, slotCount] of cases) {
      it(`${name} matches the scalar kernel on ${n} values`, () => {
        const make = (): UpdateTask<unknown> => ({
          param: random(n, 1),
          grad: random(n, 2, 0.1),
          slots: Array.from({ length: slotCount }, (_, k) =>
            k === 1 || k === 2 ? random(n, 3 + k, 0.01).map(Math.abs) : random(n, 3 + k, 0.01)
          ),
          scalars: rule.scalars(group as never, 3, name.includes('first step'), sums)
        });
        const [a, b] = [make(), make()];
        const [sa] = scalarExecutor.update(rule, [a]);
        const [sb] = inlineExecutor.update(rule, [b]);
        const close = (x: Float32Array, y: Float32Array) => {
          let worst = 0;
          let scale = 0;
          for (let i = 0; i < x.length; i++) {
            worst = Math.max(worst, Math.abs(x[i] - y[i]));
            scale = Math.max(scale, Math.abs(x[i]));
          }
          expect(worst).toBeLessThanOrEqual(2e-6 * scale);
        };
        close(a.param, b.param);
        a.slots.forEach((slot, k) => close(slot, b.slots[k]));
        expect(sb[0]).toBeCloseTo(sa[0], 5);
        expect(sb[1] / sa[1]).toBeCloseTo(1, 5);
      });
    }
  }

  it('runs the vector loop up to the last multiple of SIMD_BLOCK and leaves the tail', () => {
    const n = 2 * CHUNK + SIMD_BLOCK + 7;
    const rule = sgdRule as UpdateRule<never, unknown>;
    const scalars = rule.scalars(
      { lr: 0.1, momentum: 0, dampening: 0, weightDecay: 0, nesterov: false, maximize: false } as never,
      1,
      false,
      sums
    );
    const param = new Float32Array(n).fill(1);
    const grad = new Float32Array(n).fill(1);
    const done = simdUpdate(simdEngine()!, rule.simd!(scalars), param, grad, [], 0, n, new Float64Array(2));
    expect(done).toBe(2 * CHUNK + SIMD_BLOCK);
    expect(param[done - 1]).toBeCloseTo(0.9, 6);
    expect(param[done]).toBe(1);
  });

  it('measures Σg², Σw², Σ(g + λw)² like the scalar pass', () => {
    const n = 3 * CHUNK + 2;
    const task = { param: random(n, 7), grad: random(n, 8), weightDecay: 0.5, withNorms: true };
    const [a] = scalarExecutor.measure([task]);
    const [b] = inlineExecutor.measure([task]);
    for (let k = 0; k < 3; k++) expect(b[k] / a[k]).toBeCloseTo(1, 5);
    const bad = { ...task, grad: task.grad.slice() };
    bad.grad[CHUNK + 5] = NaN;
    expect(inlineExecutor.measure([bad])[0][0]).toBeNaN();
  });
});

/**
 * How a case's state is drawn and compared: `positiveSlots` when its slots are second moments under
 * a square root (every slot is then |x| + 0.01); `floor`, the magnitude below which values are
 * compared absolutely (default 1e-3; RMSprop's buffer μb + g/d cancels terms of size ~1); `step`,
 * the step count (default 4).
 */
interface VariantOptions {
  positiveSlots?: boolean;
  floor?: number;
  step?: number;
  /** Digits to which the sums must agree (default 5). */
  sumDigits?: number;
}

/** A variant case: name, rule, group, slot count, whether the state is fresh, and options. */
type VariantCase = [string, UpdateRule<never, unknown>, object, number, boolean, VariantOptions?];

/** Every combination of the options that pick a loop variant, per rule. */
function variantCases(): VariantCase[] {
  const out: VariantCase[] = [];
  const flags = [false, true];
  for (const momentum of [0, 0.9])
    for (const nesterov of momentum ? flags : [false])
      for (const dampening of nesterov ? [0] : [0, 0.3])
        for (const weightDecay of [0, 1e-2])
          for (const maximize of flags)
            for (const first of momentum ? flags : [false])
              out.push([
                `SGD ${JSON.stringify({ momentum, nesterov, dampening, weightDecay, maximize, first })}`,
                sgdRule as never,
                { lr: 0.1, momentum, dampening, weightDecay, nesterov, maximize },
                momentum ? 1 : 0,
                first
              ]);
  for (const [name, rule] of [
    ['Adam', adamL2Rule],
    ['AdamW', adamWRule]
  ] as const)
    for (const amsgrad of flags)
      for (const weightDecay of [0, 1e-2])
        for (const maximize of flags)
          out.push([
            `${name} ${JSON.stringify({ amsgrad, weightDecay, maximize })}`,
            rule as never,
            { lr: 1e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay, amsgrad, maximize },
            amsgrad ? 3 : 2,
            false
          ]);
  for (const nesterov of flags)
    for (const weightDecay of [0, 1e-3])
      out.push([
        `LARS ${JSON.stringify({ nesterov, weightDecay })}`,
        larsRule as never,
        { lr: 0.5, momentum: 0.9, weightDecay, nesterov, trustCoefficient: 0.02, eps: 0, layerAdaptation: true },
        1,
        false
      ]);
  for (const momentum of [0, 0.9])
    for (const centered of flags)
      for (const weightDecay of [0, 1e-2])
        for (const maximize of flags) {
          const group = { lr: 1e-2, alpha: 0.9, eps: 1e-6, weightDecay, momentum, centered, maximize };
          const slotCount = 1 + (momentum ? 1 : 0) + (centered ? 1 : 0);
          const options = { positiveSlots: true, floor: 1e-2 };
          out.push([`RMSprop ${JSON.stringify(group)}`, rmspropRule as never, group, slotCount, false, options]);
        }
  for (const initialAccumulatorValue of [0, 0.1])
    for (const weightDecay of [0, 1e-2])
      for (const maximize of flags)
        // A fresh accumulator without initial value makes every step ±clr: the f32 lanes' Σ Δw² of
        // equal terms drifts 1e-5 from float64's, which says nothing about the loop.
        for (const first of initialAccumulatorValue ? flags : [false]) {
          const group = { lr: 1e-2, lrDecay: 0.1, weightDecay, initialAccumulatorValue, eps: 1e-10, maximize };
          const name = `Adagrad ${JSON.stringify({ ...group, first })}`;
          out.push([name, adagradRule as never, group, 1, first, { positiveSlots: true }]);
        }
  for (const decoupledWeightDecay of flags)
    for (const weightDecay of [0, 1e-2])
      for (const maximize of flags) {
        const hyper = { lr: 1e-3, betas: [0.8, 0.99], eps: 1e-6, momentumDecay: 4e-3 };
        const group = { ...hyper, weightDecay, decoupledWeightDecay, maximize };
        out.push([`NAdam ${JSON.stringify(group)}`, nadamRule as never, group, 2, false, { positiveSlots: true }]);
      }
  // ρₜ > 5 from step 6 on: step 4 is unrectified, step 10 rectified.
  for (const step of [4, 10])
    for (const decoupledWeightDecay of flags)
      for (const weightDecay of [0, 1e-2])
        for (const maximize of flags) {
          const group = { lr: 1e-2, betas: [0.8, 0.99], eps: 1e-6, weightDecay, decoupledWeightDecay, maximize };
          const name = `RAdam ${JSON.stringify({ ...group, step })}`;
          out.push([name, radamRule as never, group, 2, false, { positiveSlots: true, step }]);
        }
  for (const weightDecay of [0, 0.1])
    for (const maximize of flags) {
      const group = {
        lr: 1e-2,
        betas: [0.9, 0.99],
        weightDecay,
        caution: false,
        correctedWeightDecay: false,
        maxLrSnapshot: 1e-2,
        maximize
      };
      // Without decay every |Δw| is η: the f32 lanes' Σ Δw² of equal terms drifts ~1e-5 from float64's.
      out.push([`Lion ${JSON.stringify(group)}`, lionRule as never, group, 1, false, { sumDigits: 4 }]);
    }
  // Both LAMB passes: the first (moments, Σ u², Σ w'²) and the update; maxGradNorm 0.5 clips (c = √6 / 0.5).
  for (const [pass, rule] of [
    ['first pass', lambMomentsRule],
    ['update', lambRule]
  ] as const)
    for (const maxGradNorm of [null, 0.5])
      for (const weightDecay of [0, 1e-2])
        for (const decoupledDecay of weightDecay ? flags : [false])
          for (const gradAveraging of flags) {
            const hyper = {
              lr: 1e-2,
              biasCorrection: true,
              betas: [0.8, 0.99],
              eps: 1e-6,
              trustClip: false,
              alwaysAdapt: false
            };
            const more = { caution: false, correctedWeightDecay: false, maxLrSnapshot: 1e-2, layerAdaptation: true };
            const group = { ...hyper, ...more, weightDecay, maxGradNorm, decoupledDecay, gradAveraging };
            const name = `LAMB ${pass} ${JSON.stringify({ maxGradNorm, weightDecay, decoupledDecay, gradAveraging })}`;
            out.push([name, rule as never, group, 2, false, { positiveSlots: true }]);
          }
  return out;
}

describe.runIf(simdEngine() !== null)('SIMD loop variants', () => {
  const reached = new Set<string>();
  // Each case again with the loop adding up Σ g² (`nonFinite: 'unchecked'`), where the rule can.
  const cases = variantCases().flatMap(([name, rule, group, slotCount, first, options = {}]) =>
    (rule.sumsGradSquares ? [false, true] : [false]).map(
      (gradSquares) => [name, rule, group, slotCount, first, options, gradSquares] as const
    )
  );
  for (const [name, rule, group, slotCount, first, options, gradSquares] of cases) {
    const { positiveSlots = false, floor = 1e-3, step = 4, sumDigits = 5 } = options;
    it(`${name}${gradSquares ? ' adding up Σ g²' : ''} matches the scalar kernel`, () => {
      const n = CHUNK + SIMD_BLOCK + 3;
      const slot = (k: number) => {
        const values = random(n, 13 + k, 0.01);
        return positiveSlots ? values.map((x) => Math.abs(x) + 0.01) : values.map(k > 0 ? Math.abs : (x) => x);
      };
      const make = (): UpdateTask<unknown> => ({
        param: random(n, 11),
        grad: random(n, 12, 0.1),
        slots: Array.from({ length: slotCount }, (_, k) => (first ? new Float32Array(n) : slot(k))),
        scalars: { ...(rule.scalars(group as never, step, first, sums, 0.5) as object), [GRAD_SQUARES]: gradSquares }
      });
      const [a, b] = [make(), make()];
      reached.add(rule.simd!(b.scalars).fn);
      const [sa] = scalarExecutor.update(rule, [a]);
      const [sb] = inlineExecutor.update(rule, [b]);
      [a.param, ...a.slots].forEach((x, k) => {
        const y = [b.param, ...b.slots][k];
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(x[i] - y[i]) / Math.max(floor, Math.abs(x[i])));
        expect(worst).toBeLessThanOrEqual(2e-6);
      });
      expect(sb[0] / sa[0]).toBeCloseTo(1, sumDigits);
      expect(sb[1] / sa[1]).toBeCloseTo(1, sumDigits);
      if (gradSquares) {
        const gradSq = make().grad.reduce((total, g) => total + g * g, 0);
        expect(sa[2] / gradSq).toBeCloseTo(1, 6);
        expect(sb[2] / gradSq).toBeCloseTo(1, 5);
      } else {
        expect(sa[2]).toBe(0);
        expect(sb[2]).toBe(0);
      }
    });
  }
  it('every loop the module builds is one some group runs (no dead variants)', () => {
    expect([...reached].sort()).toEqual([...UPDATE_KERNELS].sort());
  });
});

describe.runIf(simdArena() !== null)('SIMD kernels in place in the arena', () => {
  for (const [gradInArena, paramInArena] of [
    [false, true],
    [true, true],
    [false, false]
  ]) {
    const title =
      'AdamW amsgrad matches the scalar kernel over chunks ' +
      `(gradient ${gradInArena ? 'in' : 'outside'}, weights ${paramInArena ? 'in' : 'outside'} the arena)`;
    it(title, () => {
      const arena = simdArena()!;
      const n = 2 * CHUNK + 7;
      const rule = adamWRule as UpdateRule<never, unknown>;
      const scalars = rule.scalars(
        { lr: 1e-3, betas: [0.8, 0.99], eps: 1e-6, weightDecay: 0.1, amsgrad: true, maximize: true } as never,
        2,
        false,
        sums
      );
      const inArena = (values: Float32Array) => {
        const view = arena.alloc(values.length);
        view.set(values);
        return view;
      };
      const init = [
        random(n, 1),
        random(n, 2, 0.1),
        random(n, 3, 0.01),
        random(n, 4, 0.01).map(Math.abs),
        random(n, 5, 0.01).map(Math.abs)
      ];
      const a = init.map((x) => x.slice());
      const b = init.map((x, k) => ((k === 1 && !gradInArena) || (k === 0 && !paramInArena) ? x.slice() : inArena(x)));
      expect(arena.addressOf(b[0]) !== undefined).toBe(paramInArena);
      const sa = new Float64Array(2);
      const sb = new Float64Array(2);
      rule.kernel(a[0], a[1], a.slice(2), 0, n, scalars, sa);
      const done = runInArena(arena, rule.simd!(scalars), b[0], b[1], b.slice(2), 0, n, sb);
      expect(done).toBe(n - (n % SIMD_BLOCK));
      rule.kernel(b[0], b[1], b.slice(2), done, n, scalars, sb);
      [0, 2, 3, 4].forEach((k) => {
        let worst = 0;
        for (let i = 0; i < n; i++) worst = Math.max(worst, Math.abs(a[k][i] - b[k][i]));
        expect(worst).toBeLessThanOrEqual(2e-6);
      });
      expect(sb[0] / sa[0]).toBeCloseTo(1, 5);
    });
  }

  it('does nothing when a state slot is outside the arena', () => {
    const arena = simdArena()!;
    const rule = sgdRule as UpdateRule<never, unknown>;
    const scalars = rule.scalars(
      { lr: 0.1, momentum: 0.9, dampening: 0, weightDecay: 0, nesterov: false, maximize: false } as never,
      1,
      false,
      sums
    );
    const param = arena.alloc(64).fill(1);
    const buffer = new Float32Array(64).fill(1);
    expect(
      runInArena(arena, rule.simd!(scalars), param, new Float32Array(64).fill(1), [buffer], 0, 64, new Float64Array(2))
    ).toBe(0);
    expect([param[0], buffer[0]]).toEqual([1, 1]);
  });

  it('measures weights outside the arena without writing them', () => {
    const arena = simdArena()!;
    const n = CHUNK + SIMD_BLOCK;
    const param = random(n, 21);
    const grad = random(n, 22);
    const before = param.slice();
    const out = new Float64Array(3);
    expect(runInArena(arena, { fn: 'norms', args: [0.5] }, param, grad, [], 0, n, out)).toBe(n);
    const [expected] = scalarExecutor.measure([{ param, grad, weightDecay: 0.5, withNorms: true }]);
    for (let k = 0; k < 3; k++) expect(out[k] / expected[k]).toBeCloseTo(1, 5);
    expect(param).toEqual(before);
  });
});
