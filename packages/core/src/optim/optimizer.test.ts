import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { Adam, AdamW, LARS, OptimizerError, SGD, type OptimizerStateDict } from './index';

let counter = 0;
function variable(values: number[], shape: number[] = [values.length], name?: string): tf.Variable {
  return tf.tidy(() => tf.variable(tf.tensor(values, shape, 'float32'), true, name ?? `optim-test-${counter++}`));
}

function values(v: tf.Tensor): number[] {
  return Array.from(v.dataSync());
}

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('parameter groups', () => {
  it('fills defaults, keeps extra keys and accepts { name, variable } objects', () => {
    const w = variable([1, 2]);
    const b = variable([3]);
    const opt = new SGD(
      [
        {
          params: [{ name: 'fc.weight', variable: w }],
          weightDecay: 1e-4,
          label: 'decay',
          reasons: { 'fc.weight': 'weight' }
        },
        { params: [b], lr: 0.5, weightDecay: 0, layerAdaptation: false }
      ],
      { lr: 0.1, momentum: 0.9 }
    );
    expect(opt.paramGroups[0]).toMatchObject({
      lr: 0.1,
      momentum: 0.9,
      weightDecay: 1e-4,
      label: 'decay',
      reasons: { 'fc.weight': 'weight' }
    });
    expect(opt.paramGroups[1]).toMatchObject({ lr: 0.5, momentum: 0.9, weightDecay: 0, layerAdaptation: false });
    expect(opt.paramGroups[0].params[0].name).toBe('fc.weight');
    expect(opt.paramGroups[1].params[0].name).toBe(b.name);
    tf.dispose([w, b]);
  });

  it('rejects a parameter in two groups, also through addParamGroup', () => {
    const w = variable([1]);
    expect(() => new SGD([{ params: [w] }, { params: [{ name: 'again', variable: w }] }])).toThrow(
      /'again' is in group 0 and in group 1/
    );
    const opt = new SGD([w]);
    expect(() => opt.addParamGroup({ params: [w] })).toThrow(OptimizerError);
    expect(opt.paramGroups).toHaveLength(1);
    w.dispose();
  });

  it('rejects invalid hyperparameters, naming the group and field', () => {
    const w = variable([1]);
    expect(() => new SGD([w], { lr: -1 })).toThrow(/invalid learning rate \(lr\) -1 in defaults/);
    expect(() => new SGD([{ params: [w], nesterov: true }], { momentum: 0 })).toThrow(
      /nesterov in group 0 requires momentum > 0/
    );
    expect(() => new SGD([{ params: [w], nesterov: true, momentum: 0.9, dampening: 0.1 }])).toThrow(/dampening 0/);
    expect(() => new Adam([{ params: [w], betas: [0.9, 1] }])).toThrow(/beta2 \(betas\[1\]\) 1 in group 0/);
    expect(() => new AdamW([w], { betas: [-0.1, 0.9] })).toThrow(/beta1/);
    expect(() => new Adam([w], { eps: -1 })).toThrow(/eps/);
    expect(() => new LARS([{ params: [w], layerAdaptation: 'yes' }])).toThrow(
      /layerAdaptation in group 0 must be true or false/
    );
    expect(() => new SGD([])).toThrow(/empty parameter list/);
    expect(() => new SGD([{ params: [{ name: 'ghost' }] }])).toThrow(
      /'ghost' in group 0 \(params\[0\]\) has no variable/
    );
    w.dispose();
  });

  it('uses a mutated learning rate at the next step and validates it', () => {
    const w = variable([1]);
    const opt = new SGD([w], { lr: 0.1 });
    const g = tf.tensor([1]);
    opt.step({ [w.name]: g });
    expect(values(w)[0]).toBeCloseTo(0.9, 6);
    opt.paramGroups[0].lr = 0.5;
    opt.step({ [w.name]: g });
    expect(values(w)[0]).toBeCloseTo(0.4, 6);
    opt.paramGroups[0].lr = -0.5;
    expect(() => opt.step({ [w.name]: g })).toThrow(/lr\) -0.5 in group 0/);
    expect(values(w)[0]).toBeCloseTo(0.4, 6);
    tf.dispose([w, g]);
  });
});

describe('step input', () => {
  it('takes the grads of tf.variableGrads and leaves parameters without gradient alone', () => {
    const w = variable([1, -2]);
    const frozen = variable([5]);
    const opt = new SGD([w, frozen], { lr: 0.25 });
    const { value, grads } = tf.variableGrads(() => tf.sum(tf.square(w)) as tf.Scalar, [w]);
    opt.step(grads);
    expect(values(w)).toEqual([0.5, -1]);
    expect(values(frozen)).toEqual([5]);
    tf.dispose([value, grads, w, frozen]);
  });

  it('rejects unknown parameters, shape and dtype mismatches without touching anything', () => {
    const w = variable([1, 2]);
    const b = variable([1]);
    const opt = new Adam([w, b]);
    const good = tf.tensor([1, 1]);
    const wrongShape = tf.tensor([1, 1, 1]);
    const stranger = variable([0], [1], 'stranger');
    expect(() =>
      opt.step(
        new Map<tf.Variable, tf.Tensor>([
          [w, good],
          [stranger, good]
        ])
      )
    ).toThrow(/unknown parameter 'stranger'/);
    expect(() => opt.step({ [w.name]: wrongShape })).toThrow(
      new RegExp(`'${w.name}' has shape \\[3\\], the parameter \\[2\\]`)
    );
    const ints = tf.tensor([1], [1], 'int32');
    expect(() => opt.step({ [b.name]: ints })).toThrow(/int32, expected float32/);
    expect(values(w)).toEqual([1, 2]);
    expect(opt.stateDict().state).toEqual({});
    tf.dispose([w, b, good, wrongShape, stranger, ints]);
  });

  it('refuses non-finite gradients naming the parameters, or skips and counts', () => {
    const w = variable([1, 2], [2], 'layer.weight');
    const b = variable([1], [1], 'layer.bias');
    const c = variable([3], [1], 'other');
    const grads = { 'layer.weight': tf.tensor([NaN, 1]), 'layer.bias': tf.tensor([Infinity]), other: tf.tensor([1]) };
    const strict = new AdamW([w, b, c]);
    expect(() => strict.step(grads)).toThrow(
      /non-finite gradient \(NaN or ±Infinity\) for 'layer.weight', 'layer.bias'; nothing was updated/
    );
    expect([...values(w), ...values(b), ...values(c)]).toEqual([1, 2, 1, 3]);
    const lenient = new AdamW([w, b, c], {}, { nonFinite: 'skip' });
    expect(lenient.step(grads)).toBe(false);
    expect(lenient.skippedSteps).toBe(1);
    expect([...values(w), ...values(b), ...values(c)]).toEqual([1, 2, 1, 3]);
    expect(lenient.stateDict().state).toEqual({});
    tf.dispose([w, b, c, ...Object.values(grads)]);
  });

  it('accumulates gradients until zeroGrad', () => {
    const w = variable([1]);
    const opt = new SGD([w], { lr: 1 });
    const g = tf.tensor([0.25]);
    const before = tf.memory().numTensors;
    opt.accumulateGrad({ [w.name]: g });
    opt.accumulateGrad(new Map([[w, g]]));
    opt.step();
    expect(values(w)).toEqual([0.5]);
    opt.zeroGrad();
    opt.step();
    expect(values(w)).toEqual([0.5]);
    expect(tf.memory().numTensors).toBe(before);
    tf.dispose([w, g]);
  });
});

describe('in-place updates', () => {
  it('never changes a tensor that shares storage with the variable', () => {
    const initial = tf.tensor([1, 2, 3]);
    const w = tf.variable(initial);
    const opt = new SGD([w], { lr: 0.5 });
    const g = tf.ones([3]);
    opt.step(new Map([[w, g]]));
    expect(values(initial)).toEqual([1, 2, 3]);
    expect(values(w)).toEqual([0.5, 1.5, 2.5]);
    tf.dispose([initial, w, g]);
  });

  it('reads a variable again after something else assigned it (host copies between steps)', () => {
    const w = variable([1, 2, 3]);
    const opt = new SGD([w], { lr: 0.5, momentum: 0.9 }, { inPlace: false });
    const g = tf.ones([3]);
    opt.step(new Map([[w, g]]));
    expect(values(w)).toEqual([0.5, 1.5, 2.5]);
    const kept = w.clone(); // shares the tensor the step assigned: later steps must not change it
    opt.step(new Map([[w, g]]));
    expect(values(w)).toEqual([-0.45, 0.55, 1.55].map(Math.fround));
    const assigned = tf.tensor([10, 20, 30]);
    w.assign(assigned);
    assigned.dispose();
    opt.step(new Map([[w, g]]));
    // b = 0.9·1.9 + 1 = 2.71; w = 10 − 0.5·2.71
    expect(values(w).map((v) => Math.round(v * 1000) / 1000)).toEqual([8.645, 18.645, 28.645]);
    expect(values(kept)).toEqual([0.5, 1.5, 2.5]);
    tf.dispose([w, g, kept]);
  });

  it('leaks no tensors over many steps of every optimizer, in place or not', () => {
    for (const inPlace of [true, false]) {
      const w = variable(
        Array.from({ length: 64 }, (_, i) => Math.sin(i)),
        [8, 8]
      );
      const b = variable(Array.from({ length: 8 }, (_, i) => i / 8));
      const optimizers = [
        new SGD([w, b], { momentum: 0.9 }, { inPlace }),
        new Adam([w, b], { amsgrad: true }, { inPlace }),
        new AdamW([w, b], {}, { inPlace }),
        new LARS([w, b], {}, { inPlace })
      ];
      const loss = () =>
        tf.add(tf.sum(tf.square(tf.matMul(w, tf.reshape(b, [8, 1])))), tf.sum(tf.square(w))) as tf.Scalar;
      const warm = tf.variableGrads(loss, [w, b]);
      optimizers.forEach((opt) => opt.step(warm.grads));
      tf.dispose([warm.value, warm.grads]);
      const before = tf.memory().numTensors;
      for (let i = 0; i < 100; i++) {
        const { value, grads } = tf.variableGrads(loss, [w, b]);
        optimizers[i % optimizers.length].step(grads);
        tf.dispose([value, grads]);
      }
      expect(tf.memory().numTensors).toBe(before);
      tf.dispose([w, b]);
    }
  });
});

describe('diagnostics', () => {
  it('reports group, norms, effective step and effective learning rate per parameter', () => {
    const w = variable([3, 4]);
    const b = variable([0]);
    const opt = new SGD(
      [{ params: [{ name: 'conv.weight', variable: w, feedsNormalization: true }] }, { params: [b], lr: 0.2 }],
      { lr: 0.1 }
    );
    const grads = new Map([
      [w, tf.tensor([1, 0])],
      [b, tf.tensor([2])]
    ]);
    opt.step(grads);
    const [dw, db] = opt.diagnostics();
    expect(dw).toMatchObject({
      name: 'conv.weight',
      groupIndex: 0,
      paramIndex: 0,
      lr: 0.1,
      weightNorm: 5,
      gradNorm: 1,
      scaleInvariant: true
    });
    expect(dw.updateNorm).toBeCloseTo(0.1, 6);
    expect(dw.effectiveStep).toBeCloseTo(0.02, 6);
    expect(dw.effectiveLr).toBeCloseTo(0.1 / 25, 9);
    expect(db).toMatchObject({
      groupIndex: 1,
      paramIndex: 1,
      weightNorm: 0,
      scaleInvariant: false,
      effectiveStep: Infinity
    });
    expect(db.updateNorm).toBeCloseTo(0.4, 6);
    tf.dispose([w, b, ...grads.values()]);
  });

  it('reports the LARS trust ratio, 1 for a zero-norm tensor and without layer adaptation', () => {
    const w = variable([3, 4]);
    const zero = variable([0, 0]);
    const bias = variable([1]);
    const opt = new LARS([{ params: [w, zero] }, { params: [bias], layerAdaptation: false }], {
      lr: 1,
      trustCoefficient: 0.01,
      momentum: 0
    });
    const grads = new Map([
      [w, tf.tensor([0, 2])],
      [zero, tf.tensor([1, 1])],
      [bias, tf.tensor([1])]
    ]);
    opt.step(grads);
    const [dw, dz, db] = opt.diagnostics();
    expect(dw.trustRatio).toBeCloseTo((0.01 * 5) / 2, 7);
    expect(dz.trustRatio).toBe(1);
    expect(values(zero)).toEqual([-1, -1]);
    expect(db.trustRatio).toBe(1);
    tf.dispose([w, zero, bias, ...grads.values()]);
  });
});

describe('state dict', () => {
  function trained(): { opt: Adam; w: tf.Variable; b: tf.Variable } {
    const w = variable([1, 2, 3, 4], [2, 2]);
    const b = variable([0.5]);
    const opt = new Adam([
      { params: [w], amsgrad: true },
      { params: [b], lr: 0.01, label: 'no_decay' }
    ]);
    for (let i = 0; i < 3; i++) {
      const grads = new Map([
        [
          w,
          tf.tensor([
            [0.1 * i, -0.2],
            [0.3, 0.4]
          ])
        ],
        [b, tf.tensor([1 + i])]
      ]);
      opt.step(grads);
      tf.dispose([...grads.values()]);
    }
    return { opt, w, b };
  }

  it('has PyTorch structure and round-trips exactly through JSON', () => {
    const { opt, w, b } = trained();
    const dict = opt.stateDict();
    expect(Object.keys(dict.state)).toEqual(['0', '1']);
    expect(Object.keys(dict.state['0'])).toEqual(['step', 'expAvg', 'expAvgSq', 'maxExpAvgSq']);
    expect(dict.state['1'].step).toBe(3);
    expect(dict.paramGroups[1]).toEqual({
      lr: 0.01,
      betas: [0.9, 0.999],
      eps: 1e-8,
      weightDecay: 0,
      amsgrad: false,
      maximize: false,
      label: 'no_decay',
      params: [1]
    });
    const json = JSON.stringify(dict);
    const w2 = variable([1, 2, 3, 4], [2, 2]);
    const b2 = variable([0.5]);
    const copy = new Adam([{ params: [w2], amsgrad: true }, { params: [b2] }]);
    copy.loadStateDict(JSON.parse(json) as OptimizerStateDict);
    expect(JSON.stringify(copy.stateDict())).toBe(json);
    expect(copy.paramGroups[1].lr).toBe(0.01);
    tf.dispose([w, b, w2, b2]);
  });

  it('rejects a state dict that does not fit, naming the place, and keeps its own state', () => {
    const { opt, w, b } = trained();
    const good = opt.stateDict();
    const json = JSON.stringify(good);
    const mutate = (f: (d: OptimizerStateDict) => void): OptimizerStateDict => {
      const d = JSON.parse(json) as OptimizerStateDict;
      f(d);
      return d;
    };
    expect(() => opt.loadStateDict(mutate((d) => d.paramGroups.pop()))).toThrow(/1 groups, the optimizer 2/);
    expect(() => opt.loadStateDict(mutate((d) => d.paramGroups[1].params.push(7)))).toThrow(/group 1 has 2 params/);
    expect(() => opt.loadStateDict(mutate((d) => ((d.state['0'].expAvg as { shape: number[] }).shape = [4])))).toThrow(
      /state of parameter 0 \('.*'\): field expAvg has shape \[4\], the parameter \[2,2\]/
    );
    expect(() => opt.loadStateDict(mutate((d) => delete d.state['1'].step))).toThrow(/parameter 1 .*field step/);
    expect(() => opt.loadStateDict(mutate((d) => (d.state['1'].momentumBuffer = { shape: [1], values: [0] })))).toThrow(
      /unexpected field momentumBuffer/
    );
    expect(() => opt.loadStateDict(mutate((d) => (d.state['5'] = {})))).toThrow(/parameter index 5/);
    expect(() => opt.loadStateDict(mutate((d) => (d.paramGroups[0].lr = -3)))).toThrow(/lr\) -3 in group 0/);
    expect(JSON.stringify(opt.stateDict())).toBe(json);
    tf.dispose([w, b]);
  });
});

describe('updates with TF.js ops (the path of webgl, webgpu and tensorflow)', () => {
  const model = () => [
    variable(
      Array.from({ length: 64 }, (_, i) => Math.sin(i)),
      [8, 8]
    ),
    variable(Array.from({ length: 8 }, (_, i) => i / 8))
  ];
  const lossOf = (w: tf.Variable, b: tf.Variable) => () =>
    tf.add(tf.sum(tf.square(tf.matMul(w, tf.reshape(b, [8, 1])))), tf.sum(tf.square(w))) as tf.Scalar;
  const makers = [
    (p: tf.Variable[], o: object) => new SGD(p, { momentum: 0.9, nesterov: true, weightDecay: 1e-3 }, o),
    (p: tf.Variable[], o: object) => new Adam(p, { amsgrad: true, weightDecay: 1e-2 }, o),
    (p: tf.Variable[], o: object) => new AdamW(p, { lr: 0.01 }, o),
    (p: tf.Variable[], o: object) => new LARS(p, { weightDecay: 1e-3 }, o)
  ];

  it('refuses non-finite gradients with nothing updated, or skips and counts', () => {
    const [w, b] = model();
    const before = [values(w), values(b)];
    const grads = new Map([
      [w, tf.fill([8, 8], NaN)],
      [b, tf.ones([8])]
    ]);
    const count = tf.memory().numTensors;
    expect(() => new AdamW([{ name: 'fc.weight', variable: w }, b], {}, { tensorOps: true }).step(grads)).toThrow(
      /non-finite gradient .* for 'fc.weight'; nothing was updated/
    );
    const lenient = new SGD([w, b], { momentum: 0.9 }, { tensorOps: true, nonFinite: 'skip' });
    expect(lenient.step(grads)).toBe(false);
    expect(lenient.skippedSteps).toBe(1);
    expect([values(w), values(b)]).toEqual(before);
    expect(tf.memory().numTensors).toBe(count);
    tf.dispose([w, b, ...grads.values()]);
  });

  it('keeps the tensor count flat over many steps, and dispose() frees the state', () => {
    const [w, b] = model();
    const start = tf.memory().numTensors;
    const optimizers = makers.map((make) => make([w, b], { tensorOps: true }));
    const loss = lossOf(w, b);
    const warm = tf.variableGrads(loss, [w, b]);
    optimizers.forEach((opt) => opt.step(warm.grads));
    optimizers.forEach((opt) => opt.diagnostics()); // reads and frees the step's pending sums
    tf.dispose([warm.value, warm.grads]);
    const before = tf.memory().numTensors;
    for (let i = 0; i < 40; i++) {
      const { value, grads } = tf.variableGrads(loss, [w, b]);
      optimizers[i % optimizers.length].step(grads);
      optimizers[i % optimizers.length].diagnostics();
      tf.dispose([value, grads]);
    }
    expect(tf.memory().numTensors).toBe(before);
    optimizers.forEach((opt) => opt.dispose());
    expect(tf.memory().numTensors).toBe(start);
    tf.dispose([w, b]);
  });

  it("gives the loops' weights, state and diagnostics, also when a run switches between the paths", () => {
    for (const make of makers) {
      const [a, b] = [model(), model()];
      const loops = make(a, {});
      const mixed = make(b, { tensorOps: true });
      for (let step = 0; step < 6; step++) {
        // The second run switches paths every other step: its state moves between arrays and tensors.
        if (step === 2) (mixed as unknown as { tensorOps: boolean }).tensorOps = false;
        if (step === 4) (mixed as unknown as { tensorOps: boolean }).tensorOps = true;
        const ga = tf.variableGrads(lossOf(a[0], a[1]), a);
        const gb = tf.variableGrads(lossOf(b[0], b[1]), b);
        loops.step(ga.grads);
        mixed.step(gb.grads);
        tf.dispose([ga.value, ga.grads, gb.value, gb.grads]);
      }
      a.forEach((v, i) => {
        const x = values(v);
        const y = values(b[i]);
        x.forEach((value, k) => expect(y[k]).toBeCloseTo(value, 5));
      });
      const [da, db] = [loops.diagnostics(), mixed.diagnostics()];
      da.forEach((d, i) => {
        expect(db[i].paramIndex).toBe(d.paramIndex);
        expect(db[i].updateNorm / d.updateNorm).toBeCloseTo(1, 4);
        expect(db[i].weightNorm / d.weightNorm).toBeCloseTo(1, 5);
        expect(db[i].gradNorm / d.gradNorm).toBeCloseTo(1, 5);
        expect(db[i].trustRatio ?? 1).toBeCloseTo(d.trustRatio ?? 1, 5);
      });
      const [sa, sb] = [loops.stateDict(), mixed.stateDict()];
      expect(Object.keys(sb.state)).toEqual(Object.keys(sa.state));
      mixed.dispose();
      tf.dispose([...a, ...b]);
    }
  });
});
