/**
 * Bad input that used to get through (issue 16): each case is an OptimizerError that names the
 * parameter, group or field, and leaves weights and state as they were.
 */
import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  Adagrad,
  Adam,
  AdamW,
  LAMB,
  LARS,
  Lion,
  NAdam,
  OptimizerError,
  RAdam,
  RMSprop,
  SGD,
  type Optimizer,
  type OptimizerStateDict
} from './index';

let counter = 0;
function variable(values: number[], name = `hardening-${counter++}`): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, [values.length], 'float32'), true, name));
}

const values = (v: tf.Variable): number[] => Array.from(v.dataSync());

/** Weights and state dict of an optimizer, to compare before and after a failed call. */
function snapshot(opt: Optimizer<object>, weights: tf.Variable[]): string {
  return JSON.stringify({ weights: weights.map(values), state: opt.stateDict() });
}

function stepWith(opt: Optimizer<object>, weights: tf.Variable[], gradient: number): void {
  const grads = new Map(weights.map((w) => [w, tf.fill(w.shape, gradient)] as const));
  opt.step(grads);
  tf.dispose([...grads.values()]);
}

/** Expects `call` to throw an OptimizerError matching `message` and to change nothing. */
function expectRefused(opt: Optimizer<object>, weights: tf.Variable[], call: () => unknown, message: RegExp): void {
  const before = snapshot(opt, weights);
  expect(call).toThrow(OptimizerError);
  expect(call).toThrow(message);
  expect(snapshot(opt, weights)).toBe(before);
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('a state dict without a state tensor its group uses', () => {
  const cases: Array<[string, (w: tf.Variable) => Optimizer<object>, string]> = [
    ['Adam', (w) => new Adam([{ name: 'fc.weight', variable: w }]), 'expAvgSq'],
    ['Adam, amsgrad', (w) => new Adam([{ name: 'fc.weight', variable: w }], { amsgrad: true }), 'maxExpAvgSq'],
    ['AdamW', (w) => new AdamW([{ name: 'fc.weight', variable: w }]), 'expAvg'],
    ['SGD with momentum', (w) => new SGD([{ name: 'fc.weight', variable: w }], { momentum: 0.9 }), 'momentumBuffer'],
    ['LARS', (w) => new LARS([{ name: 'fc.weight', variable: w }]), 'momentumBuffer'],
    ['RMSprop, centered', (w) => new RMSprop([{ name: 'fc.weight', variable: w }], { centered: true }), 'gradAvg'],
    ['Adagrad', (w) => new Adagrad([{ name: 'fc.weight', variable: w }]), 'sum'],
    ['NAdam', (w) => new NAdam([{ name: 'fc.weight', variable: w }]), 'muProduct'],
    ['RAdam', (w) => new RAdam([{ name: 'fc.weight', variable: w }]), 'expAvgSq'],
    ['Lion', (w) => new Lion([{ name: 'fc.weight', variable: w }]), 'expAvg'],
    ['LAMB', (w) => new LAMB([{ name: 'fc.weight', variable: w }]), 'expAvgSq']
  ];

  it.each(cases)('%s: is refused naming the parameter and the field', (_name, make, field) => {
    const w = variable([1, 2]);
    const opt = make(w);
    stepWith(opt, [w], 0.5);
    const dict = JSON.parse(JSON.stringify(opt.stateDict())) as OptimizerStateDict;
    delete dict.state['0'][field];
    const message = new RegExp(`state of parameter 0 \\('fc.weight'\\): missing field ${field} \\(`);
    expectRefused(opt, [w], () => opt.loadStateDict(dict), message);
    w.dispose();
  });

  it('a parameter without any entry starts fresh, as in torch', () => {
    const [w, b] = [variable([1, 2]), variable([3])];
    const opt = new Adam([w, b]);
    stepWith(opt, [w, b], 0.5);
    const dict = opt.stateDict();
    delete dict.state['1'];
    opt.loadStateDict(dict);
    expect(Object.keys(opt.stateDict().state)).toEqual(['0']);
    tf.dispose([w, b]);
  });
});

describe('unknown keys', () => {
  it('in the defaults are errors that suggest the camelCase name (torch raises TypeError)', () => {
    const w = variable([1]);
    const make = (defaults: object) => () => new AdamW([w], defaults);
    const snake = /^AdamW: unknown key "weight_decay" in defaults; did you mean weightDecay\?$/;
    expect(make({ weight_decay: 0.1 })).toThrow(snake);
    expect(make({ learning_rate: 0.1 })).toThrow(/did you mean lr\?/);
    expect(make({ beta1: 0.8 })).toThrow(/did you mean betas\?/);
    expect(make({ epsilon: 1e-6 })).toThrow(/did you mean eps\?/);
    expect(make({ label: 'decay' })).toThrow(/unknown key "label" in defaults; AdamW takes lr, betas, eps, /);
    expect(() => new SGD([w], { momentun: 0.9 } as object)).toThrow(/did you mean momentum\?/);
    w.dispose();
  });

  it.each([
    ['RMSprop', (w: tf.Variable, d: object) => new RMSprop([w], d), { centred: true }, 'centered'],
    [
      'Adagrad',
      (w: tf.Variable, d: object) => new Adagrad([w], d),
      { initial_accumulator_value: 0.1 },
      'initialAccumulatorValue'
    ],
    ['NAdam', (w: tf.Variable, d: object) => new NAdam([w], d), { momentum_decay: 0.01 }, 'momentumDecay'],
    ['RAdam', (w: tf.Variable, d: object) => new RAdam([w], d), { decoupledWeightDecy: true }, 'decoupledWeightDecay']
  ])('in the defaults of %s suggest its camelCase names', (name, make, defaults, meant) => {
    const w = variable([1]);
    const message = new RegExp(`^${name}: unknown key .* in defaults; did you mean ${meant}\\?$`);
    expect(() => make(w, defaults)).toThrow(message);
    w.dispose();
  });

  it('in the options are errors too', () => {
    const w = variable([1]);
    const make = (options: object) => () => new SGD([w], {}, options);
    expect(make({ nonfinite: 'skip' })).toThrow(/unknown key "nonfinite" in options; did you mean nonFinite\?/);
    expect(make({ threads: 2 })).toThrow(/unknown key "threads" in options; SGD takes nonFinite, inPlace, tensorOps, /);
    w.dispose();
  });

  it('in a group: a misspelled hyperparameter is an error, any other key is kept', () => {
    const w = variable([1]);
    const group = (extra: object) => () => new SGD([{ params: [w], ...extra }], { momentum: 0.9 });
    expect(group({ weight_decay: 0.1 })).toThrow(
      'SGD: key "weight_decay" in group 0 looks like the hyperparameter weightDecay misspelled ' +
        '(its value would be kept as an extra key while weightDecay stays at 0); write weightDecay'
    );
    expect(group({ WeightDecay: 0.1 })).toThrow(/weightDecay/);
    expect(group({ nestrov: true })).toThrow(/hyperparameter nesterov/);
    expect(group({ LR: 0.1 })).toThrow(/hyperparameter lr/);
    const kept = { label: 'decay', reasons: { x: 'y' }, layerAdaptation: false, initialLr: 0.1, note: 'mine' };
    const opt = new SGD([{ params: [w], ...kept }]);
    expect(opt.paramGroups[0]).toMatchObject(kept);
    expect(new Adam([{ params: [w], momentum: 0.9 }]).paramGroups[0].momentum).toBe(0.9); // SGD's key in an Adam group
    w.dispose();
  });

  it('set on a live group, added with addParamGroup or loaded from a state dict change nothing', () => {
    const [w, b] = [variable([1, 2]), variable([3])];
    const opt = new SGD([w], { lr: 0.1, momentum: 0.9 });
    stepWith(opt, [w], 1);
    opt.paramGroups[0].weight_decay = 0.1;
    const misspelled = /key "weight_decay" in group 0 looks like the hyperparameter weightDecay/;
    expectRefused(opt, [w], () => stepWith(opt, [w], 1), misspelled);
    delete opt.paramGroups[0].weight_decay;
    const add = () => opt.addParamGroup({ params: [b], dampenning: 0.1 });
    expectRefused(opt, [w, b], add, /key "dampenning" in group 1 .* dampening/);
    expect(opt.paramGroups).toHaveLength(1);
    const dict = opt.stateDict();
    dict.paramGroups[0].weight_decay = 0.1;
    expectRefused(opt, [w], () => opt.loadStateDict(dict), /key "weight_decay" in group 0/);
    tf.dispose([w, b]);
  });
});

describe('a disposed variable', () => {
  it('is named when stepping, and nothing is updated', () => {
    const [w, b] = [variable([1, 2]), variable([3])];
    const opt = new SGD(
      [
        { name: 'fc.weight', variable: w },
        { name: 'fc.bias', variable: b }
      ],
      { momentum: 0.9 }
    );
    stepWith(opt, [w, b], 1);
    const grads = { 'fc.weight': tf.ones([2]) };
    const before = JSON.stringify({ w: values(w), state: opt.stateDict() });
    b.dispose();
    const step = () => opt.step(grads);
    expect(step).toThrow(/^SGD.step: parameter 'fc.bias' \(paramGroups\[0\]\.params\[1\]\) was disposed; nothing /);
    expect(() => opt.accumulateGrad(grads)).toThrow(/SGD.accumulateGrad: parameter 'fc.bias' .* was disposed/);
    expect(JSON.stringify({ w: values(w), state: opt.stateDict() })).toBe(before);
    opt.paramGroups[0].params = opt.paramGroups[0].params.filter((p) => !p.variable.isDisposed);
    opt.step(grads);
    expect(values(w)).not.toEqual([1, 2]);
    tf.dispose([w, ...Object.values(grads)]);
  });
});

describe('non-finite state values', () => {
  it('survive stateDict → JSON → loadStateDict (Infinity after a 1e30 gradient)', () => {
    const [w, w2] = [variable([1, -2]), variable([1, -2])];
    const opt = new Adam([w]);
    stepWith(opt, [w], 1e30); // v = 0.001·1e60 is Infinity in float32
    const json = JSON.stringify(opt.stateDict());
    expect(json).toContain('"expAvgSq":{"shape":[2],"values":["Infinity","Infinity"]}');
    const copy = new Adam([w2]);
    copy.loadStateDict(JSON.parse(json) as OptimizerStateDict);
    expect(JSON.stringify(copy.stateDict())).toBe(json);
    w2.assign(w);
    stepWith(opt, [w], 0.5);
    stepWith(copy, [w2], 0.5);
    expect(values(w2)).toEqual(values(w));
    tf.dispose([w, w2]);
  });

  it('are read as "NaN", "Infinity", "-Infinity" or numbers; null is refused with the reason', () => {
    const w = variable([1, 2, 3]);
    const opt = new SGD([{ name: 'fc.weight', variable: w }], { momentum: 0.9 });
    stepWith(opt, [w], 1);
    const dict = opt.stateDict();
    dict.state['0'].momentumBuffer = { shape: [3], values: ['NaN', '-Infinity', Infinity] }; // not through JSON
    opt.loadStateDict(dict);
    const json = JSON.stringify(opt.stateDict());
    const written = (JSON.parse(json) as OptimizerStateDict).state['0'].momentumBuffer;
    expect(written).toEqual({ shape: [3], values: ['NaN', '-Infinity', 'Infinity'] });
    const nulls = JSON.parse(json.replace('"NaN"', 'null')) as OptimizerStateDict;
    expectRefused(
      opt,
      [w],
      () => opt.loadStateDict(nulls),
      /parameter 0 \('fc.weight'\): field momentumBuffer values\[0\] is null, .*JSON.stringify writes null for NaN/
    );
    w.dispose();
  });
});

describe('replaced params of a group', () => {
  it('says the array was replaced (not "unknown parameter"), for step and stateDict, changing nothing', () => {
    const [w, b] = [variable([1, 2], 'layer.weight'), variable([3], 'layer.bias')];
    const opt = new AdamW([w, b]);
    stepWith(opt, [w, b], 1);
    const resolved = opt.paramGroups[0].params;
    const before = snapshot(opt, [w, b]);
    opt.paramGroups[0].params = [w, b] as never;
    const message = new RegExp(
      "AdamW.step: paramGroups\\[0\\]\\.params\\[0\\] is a bare tf.Variable \\('layer.weight'\\), not one of the " +
        "optimizer's parameters: the params array of group 0 was replaced after the group was added"
    );
    expect(() => stepWith(opt, [w, b], 1)).toThrow(message);
    expect(() => opt.stateDict()).toThrow(/AdamW.stateDict: paramGroups\[0\]\.params\[0\] is a bare tf.Variable/);
    const extra = variable([0]);
    expect(() => opt.addParamGroup({ params: [extra] })).toThrow(/addParamGroup: .* was replaced/);
    opt.paramGroups[0].params = resolved;
    expect(snapshot(opt, [w, b])).toBe(before);
    opt.paramGroups[0].params = 'all' as never;
    expect(() => stepWith(opt, [w, b], 1)).toThrow(/paramGroups\[0\]\.params is "all", not an array/);
    opt.paramGroups[0].params = resolved;
    tf.dispose([w, b, extra]);
  });
});

describe('Lion and LAMB hyperparameters', () => {
  const make = {
    Lion: (w: tf.Variable, d: object) => new Lion([w], d),
    LAMB: (w: tf.Variable, d: object) => new LAMB([w], d)
  };
  it.each([
    // timm's checks: lr and (LAMB) eps, weight_decay ≥ 0; (Lion) betas in [0, 1).
    ['Lion', { lr: -1e-3 }, /^Lion: invalid learning rate \(lr\) -0.001 in defaults/],
    ['Lion', { betas: [1, 0.99] }, /^Lion: invalid beta1 \(betas\[0\]\) 1 in defaults \(must be in \[0, 1\)\)/],
    ['Lion', { weightDecay: -0.1 }, /invalid weightDecay -0.1/],
    ['LAMB', { eps: -1e-6 }, /^LAMB: invalid eps -0.000001 in defaults/],
    ['LAMB', { weightDecay: -1 }, /^LAMB: invalid weightDecay -1/],
    // Stricter than timm, which would divide by a clip of 0 or run betas ≥ 1 (named here instead).
    ['LAMB', { betas: [0.9, 1] }, /^LAMB: invalid beta2 \(betas\[1\]\) 1/],
    [
      'LAMB',
      { maxGradNorm: 0 },
      /^LAMB: invalid maxGradNorm 0 in defaults \(a finite number > 0, or null for no clipping\)/
    ],
    ['LAMB', { maxGradNorm: 'none' }, /^LAMB: invalid maxGradNorm "none"/],
    ['LAMB', { trustClip: 1 }, /^LAMB: trustClip in defaults must be true or false, got 1/],
    // timm's ValueError: corrected weight decay requires a positive max lr.
    [
      'Lion',
      { correctedWeightDecay: true, lr: 0 },
      /^Lion: correctedWeightDecay in defaults requires a positive maxLrSnapshot/
    ],
    [
      'LAMB',
      { correctedWeightDecay: true, maxLrSnapshot: 0 },
      /^LAMB: correctedWeightDecay in defaults requires a positive maxLrSnapshot/
    ],
    // Options of timm's that are not implemented are named, not ignored.
    ['Lion', { caution: true }, /^Lion: caution = true in defaults is not supported \(timm's Cautious Optimizers mask/],
    ['LAMB', { caution: true }, /^LAMB: caution = true in defaults is not supported/],
    // timm's keyword names suggest ours.
    ['LAMB', { max_grad_norm: 1 }, /^LAMB: unknown key "max_grad_norm" in defaults; did you mean maxGradNorm\?$/],
    ['LAMB', { always_adapt: true }, /did you mean alwaysAdapt\?/],
    ['Lion', { foreach: true }, /^Lion: unknown key "foreach" in defaults; Lion takes lr, betas, /]
  ] as const)('%s %j is refused', (name, defaults, message) => {
    const w = variable([1]);
    expect(() => make[name](w, defaults)).toThrow(OptimizerError);
    expect(() => make[name](w, defaults)).toThrow(message);
    w.dispose();
  });

  it("LAMB: a group's step count (timm's group['step']) must be a non-negative integer, in a state dict too", () => {
    const w = variable([1, 2]);
    const opt = new LAMB([{ name: 'fc.weight', variable: w }]);
    stepWith(opt, [w], 0.5);
    const dict = opt.stateDict();
    expect(dict.paramGroups[0].step).toBe(1);
    dict.paramGroups[0].step = -1;
    expectRefused(
      opt,
      [w],
      () => opt.loadStateDict(dict),
      /^LAMB: step in group 0 \(the group's step count\) must be a non-negative integer, got -1/
    );
    w.dispose();
  });
});
