/**
 * Lion and LAMB beyond the parity fixtures: resuming from a state dict is bit-exact on every path,
 * LAMB's trust ratio per parameter in the diagnostics, `layerAdaptation` (the document's LARS
 * grouping) and timm's per-group step count.
 */
import * as tf from '@tensorflow/tfjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  LAMB,
  Lion,
  scalarExecutor,
  type BaseOptimizerOptions,
  type Optimizer,
  type OptimizerStateDict,
  type ParamGroupInput
} from './index';

let counter = 0;
const variable = (values: number[]) => tf.tidy(() => tf.variable(tf.tensor1d(values), true, `lion-lamb-${counter++}`));

/** Deterministic gradients g = 0.5·w + sin(step·7 + i) for every variable. */
function step(opt: Optimizer<object>, weights: tf.Variable[], k: number): void {
  const grads = new Map(
    weights.map((w) => {
      const values = w.dataSync();
      return [w, tf.tensor1d(Array.from(values, (v, i) => 0.5 * v + Math.sin(k * 7 + i)))] as const;
    })
  );
  opt.step(grads);
  tf.dispose([...grads.values()]);
}

type Make = (groups: ParamGroupInput[], options: BaseOptimizerOptions) => Optimizer<object>;
const OPTIMIZERS: Array<[string, Make]> = [
  [
    'Lion',
    (groups, options) => new Lion(groups, { lr: 1e-2, weightDecay: 0.1 }, options) as unknown as Optimizer<object>
  ],
  ['LAMB', (groups, options) => new LAMB(groups, { lr: 1e-2 }, options) as unknown as Optimizer<object>],
  [
    'LAMB decoupled',
    (groups, options) =>
      new LAMB(groups, { lr: 1e-2, decoupledDecay: true, maxGradNorm: null }, options) as unknown as Optimizer<object>
  ]
];
const PATHS: Array<[string, BaseOptimizerOptions]> = [
  ['SIMD loops', {}],
  ['scalar loops', { executor: scalarExecutor }],
  ['TF.js ops', { tensorOps: true }]
];

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe.each(PATHS)('Lion and LAMB resume bit-exactly (%s)', (_path, options) => {
  it.each(OPTIMIZERS)('%s: stateDict → JSON → loadStateDict, then 5 more steps, equals 10 steps', (_name, make) => {
    // 37 values: the SIMD loops run on them (and the scalar loop on the tail).
    const init = [Array.from({ length: 37 }, (_, i) => Math.cos(i)), [0, 0, 0], [0.5, -0.25]];
    const groups = (vars: tf.Variable[]): ParamGroupInput[] => [
      { params: [vars[0], vars[1]], weightDecay: 0.01 },
      { params: [vars[2]], weightDecay: 0, layerAdaptation: false }
    ];
    const a = init.map(variable);
    const b = init.map(variable);
    const first = make(groups(a), options);
    for (let k = 0; k < 10; k++) step(first, a, k);

    const half = make(groups(b), options);
    for (let k = 0; k < 5; k++) step(half, b, k);
    const json = JSON.stringify(half.stateDict());
    const c = b.map((v) => tf.tidy(() => tf.variable(v.clone(), true, `lion-lamb-${counter++}`)));
    const resumed = make(groups(c), options);
    resumed.loadStateDict(JSON.parse(json) as OptimizerStateDict);
    expect(JSON.stringify(resumed.stateDict())).toBe(json);
    for (let k = 5; k < 10; k++) step(resumed, c, k);
    c.forEach((v, i) => expect(Array.from(v.dataSync())).toEqual(Array.from(a[i].dataSync())));
    expect(JSON.stringify(resumed.stateDict())).toBe(JSON.stringify(first.stateDict()));
    for (const opt of [first, half, resumed]) opt.dispose();
    tf.dispose([...a, ...b, ...c]);
  });
});

describe('LAMB', () => {
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  /** The first step's trust ratio by hand: m̂ = g, v̂ = g² after one step, u = g/(|g| + ε) + λw. */
  function firstTrustRatio(w: number[], g: number[], decay: number, eps = 1e-6): number {
    const u = g.map((gi, i) => gi / (Math.abs(gi) + eps) + decay * w[i]);
    const norm = (x: number[]) => Math.sqrt(x.reduce((s, v) => s + v * v, 0));
    return norm(w) / norm(u);
  }

  it.each(PATHS)(
    'reports the trust ratio per parameter (%s); layerAdaptation false and zero norms give 1',
    (_path, options) => {
      const values = { w: [0.3, -0.2, 0.1, 0.4], z: [0, 0], b: [0.5, 0.5], n: [1, 2], a: [0.1, -0.3] };
      const v = Object.fromEntries(Object.entries(values).map(([k, x]) => [k, variable(x)])) as Record<
        keyof typeof values,
        tf.Variable
      >;
      const grads: Record<keyof typeof values, number[]> = {
        w: [0.5, -1, 0.25, 2],
        z: [1, -1],
        b: [0.2, 0.1],
        n: [1, 1],
        a: [0.3, 0.2]
      };
      const opt = new LAMB(
        [
          {
            params: [
              { name: 'w', variable: v.w },
              { name: 'z', variable: v.z }
            ],
            weightDecay: 0.1
          },
          // The document's LARS grouping: no trust ratio, whatever the decay and alwaysAdapt.
          { params: [{ name: 'b', variable: v.b }], weightDecay: 0.1, alwaysAdapt: true, layerAdaptation: false },
          // timm's rule under layerAdaptation: no decay → not adapted unless alwaysAdapt.
          { params: [{ name: 'n', variable: v.n }], weightDecay: 0 },
          { params: [{ name: 'a', variable: v.a }], weightDecay: 0, alwaysAdapt: true }
        ],
        { lr: 0.1, maxGradNorm: null },
        options
      );
      const map = new Map(
        (Object.keys(values) as Array<keyof typeof values>).map((k) => [v[k], tf.tensor1d(grads[k])] as const)
      );
      opt.step(map);
      tf.dispose([...map.values()]);
      const byName = new Map(opt.diagnostics().map((d) => [d.name, d]));
      expect(byName.get('w')?.trustRatio).toBeCloseTo(firstTrustRatio(values.w, grads.w, 0.1), 5);
      expect(byName.get('z')?.trustRatio).toBe(1); // ‖w‖ = 0
      expect(byName.get('b')?.trustRatio).toBe(1);
      expect(byName.get('n')?.trustRatio).toBe(1);
      expect(byName.get('a')?.trustRatio).toBeCloseTo(firstTrustRatio(values.a, grads.a, 0), 5);
      // Without a trust ratio the step is η·u: b ← b − 0.1·(g/(|g| + ε) + 0.1·b).
      const expectedB = values.b.map((w, i) => w - 0.1 * (grads.b[i] / (Math.abs(grads.b[i]) + 1e-6) + 0.1 * w));
      Array.from(v.b.dataSync()).forEach((x, i) => expect(x).toBeCloseTo(expectedB[i], 6));
      // With one: w ← w − η·r·u, so ‖Δw‖ = η·r·‖u‖ = η·‖w‖.
      const dw = byName.get('w')!;
      expect(dw.updateNorm / dw.weightNorm).toBeCloseTo(0.1, 5);
      opt.dispose();
      tf.dispose(Object.values(v));
    }
  );

  it("counts steps per group on every step, groups without gradients too (timm's group['step'])", () => {
    const [w, b] = [variable([1, 2]), variable([3])];
    const opt = new LAMB([{ params: [w] }, { params: [b] }]);
    step(opt as unknown as Optimizer<object>, [w], 0);
    step(opt as unknown as Optimizer<object>, [w], 1);
    expect(opt.paramGroups.map((g) => g.step)).toEqual([2, 2]);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
    const dict = opt.stateDict();
    expect(dict.paramGroups.map((g) => g.step)).toEqual([2, 2]);
    expect(Object.keys(dict.state['0']).sort()).toEqual(['expAvg', 'expAvgSq']);
    opt.dispose();
    tf.dispose([w, b]);
  });
});
