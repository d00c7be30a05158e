import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { afterAll, describe, expect, it } from 'vitest';
import { createThreadExecutor } from '../node/thread-executor';
import {
  Adagrad,
  AdamW,
  inlineExecutor,
  LAMB,
  LARS,
  Lion,
  NAdam,
  OptimizerError,
  RAdam,
  RMSprop,
  SGD,
  type KernelExecutor,
  type Optimizer
} from './index';
import type { BaseOptimizerOptions } from './optimizer';

type Make = (params: tf.Variable[], options: BaseOptimizerOptions) => Optimizer<object>;

/** Optimizers whose loops add up Σ g² themselves (no pass before the update when unchecked). */
const ONE_PASS: Array<[string, Make]> = [
  ['SGD momentum', (p, o) => new SGD(p, { lr: 0.1, momentum: 0.9, weightDecay: 0.01 }, o)],
  ['SGD nesterov, maximize', (p, o) => new SGD(p, { lr: 0.1, momentum: 0.9, nesterov: true, maximize: true }, o)],
  ['AdamW', (p, o) => new AdamW(p, { lr: 0.01, weightDecay: 0.1 }, o)],
  ['AdamW amsgrad', (p, o) => new AdamW(p, { lr: 0.01, amsgrad: true }, o)],
  ['RMSprop centered', (p, o) => new RMSprop(p, { lr: 0.01, momentum: 0.5, centered: true }, o)],
  ['Adagrad', (p, o) => new Adagrad(p, { lr: 0.1, lrDecay: 0.01 }, o)],
  ['NAdam', (p, o) => new NAdam(p, { lr: 0.01, weightDecay: 0.01 }, o)],
  ['RAdam', (p, o) => new RAdam(p, { lr: 0.01, decoupledWeightDecay: true, weightDecay: 0.01 }, o)],
  ['Lion', (p, o) => new Lion(p, { lr: 1e-3, weightDecay: 0.1 }, o)]
];
/** Optimizers whose scalars need sums of every gradient before the update. */
const TWO_PASS: Array<[string, Make]> = [
  ['LARS', (p, o) => new LARS(p, { lr: 0.1, momentum: 0.9, weightDecay: 1e-4 }, o)],
  ['LAMB', (p, o) => new LAMB(p, { lr: 0.01, weightDecay: 0.01 }, o)]
];

function params(): tf.Variable[] {
  return [[300, 41], [41], [7]].map((shape, i) =>
    tf.tidy(() => tf.variable(tf.randomNormal(shape, 0, 1, 'float32', 3 + i)))
  );
}

function gradients(variables: tf.Variable[], step: number): Map<tf.Variable, tf.Tensor> {
  return new Map(variables.map((v, i) => [v, tf.randomNormal(v.shape, 0, 1, 'float32', 100 * step + i + 1)]));
}

/** Three steps; the weights, state dict and gradient norms after them. */
function run(make: Make, options: BaseOptimizerOptions) {
  const variables = params();
  const optimizer = make(variables, options);
  const gradNorms: number[] = [];
  for (let step = 0; step < 3; step++) {
    const grads = gradients(variables, step);
    expect(optimizer.step(grads)).toBe(true);
    tf.dispose([...grads.values()]);
    gradNorms.push(...optimizer.diagnostics().map((d) => d.gradNorm));
  }
  const weights = variables.map((v) => Array.from(v.dataSync()));
  const state = JSON.stringify(optimizer.stateDict());
  optimizer.dispose();
  tf.dispose(variables);
  return { weights, state, gradNorms };
}

/** `inlineExecutor` counting its passes before the update. */
function countingExecutor(): KernelExecutor & { measured: number } {
  const counting = {
    ...inlineExecutor,
    measured: 0,
    measure: (tasks: Parameters<KernelExecutor['measure']>[0]) => {
      counting.measured++;
      return inlineExecutor.measure(tasks);
    }
  };
  return counting;
}

const threads = createThreadExecutor({ threads: 2, minSplitSize: 1024 });
afterAll(() => threads.close());

const PATHS: Array<[string, string, BaseOptimizerOptions]> = [
  ['cpu loops', 'cpu', {}],
  ['cpu loops, worker threads', 'cpu', { executor: threads }],
  ['wasm loops (in the heap)', 'wasm', {}],
  ['tensor ops', 'cpu', { tensorOps: true }]
];

describe("nonFinite: 'unchecked'", () => {
  for (const [path, backend, options] of PATHS) {
    describe(path, () => {
      it.each(ONE_PASS)(
        '%s: the same weights and state as a checked step, the same gradient norms',
        async (_, make) => {
          await tf.setBackend(backend);
          const checked = run(make, options);
          const unchecked = run(make, { ...options, nonFinite: 'unchecked' });
          expect(unchecked.weights).toEqual(checked.weights);
          expect(unchecked.state).toEqual(checked.state);
          unchecked.gradNorms.forEach((norm, i) => {
            expect(norm).toBeGreaterThan(0);
            expect(Math.abs(norm - checked.gradNorms[i]) / checked.gradNorms[i]).toBeLessThan(1e-6);
          });
        }
      );
    });
  }

  it('skips the pass before the update where the loops sum Σ g², and keeps it where the rule needs it', async () => {
    await tf.setBackend('cpu');
    const cases: Array<[Make, BaseOptimizerOptions['nonFinite'], number]> = [
      [ONE_PASS[0][1], 'unchecked', 0],
      [ONE_PASS[2][1], 'unchecked', 0],
      [ONE_PASS[0][1], 'throw', 3],
      [TWO_PASS[0][1], 'unchecked', 3],
      [TWO_PASS[1][1], 'unchecked', 3]
    ];
    for (const [make, nonFinite, passes] of cases) {
      const executor = countingExecutor();
      run(make, { executor, nonFinite });
      expect(executor.measured).toBe(passes);
    }
  });

  for (const [path, backend, options] of PATHS) {
    // LAMB clips by the norm of every gradient: one NaN makes every update NaN, as in timm.
    const nanCases: Array<[string, Make, boolean]> = [
      ...ONE_PASS.slice(0, 3).map(([name, make]): [string, Make, boolean] => [name, make, true]),
      [TWO_PASS[0][0], TWO_PASS[0][1], true],
      [TWO_PASS[1][0], TWO_PASS[1][1], false]
    ];
    it.each(nanCases)(
      `${path}: %s applies a NaN gradient as torch.optim does, and reports it`,
      async (_, make, othersFinite) => {
        await tf.setBackend(backend);
        const variables = params();
        const optimizer = make(variables, { ...options, nonFinite: 'unchecked' });
        const grads = gradients(variables, 0);
        const bad = tf.tidy(() => {
          const values = grads.get(variables[1])!.arraySync() as number[];
          values[5] = NaN;
          return tf.tensor(values);
        });
        grads.get(variables[1])!.dispose();
        grads.set(variables[1], bad);
        const before = tf.memory().numTensors;
        expect(optimizer.step(grads)).toBe(true);
        expect(optimizer.skippedSteps).toBe(0);
        expect(Number.isNaN(variables[1].dataSync()[5])).toBe(true);
        expect(variables[0].dataSync().every(Number.isFinite)).toBe(othersFinite);
        const diagnostics = optimizer.diagnostics();
        expect(Number.isNaN(diagnostics[1].gradNorm)).toBe(true);
        expect(Number.isFinite(diagnostics[0].gradNorm)).toBe(true);
        tf.dispose([...grads.values()]);
        optimizer.dispose();
        expect(tf.memory().numTensors).toBe(before - grads.size);
        tf.dispose(variables);
      }
    );
  }

  it('names the values nonFinite takes', () => {
    const w = tf.variable(tf.zeros([2]));
    expect(() => new SGD([w], { lr: 0.1 }, { nonFinite: 'ignore' as never })).toThrow(OptimizerError);
    expect(() => new SGD([w], { lr: 0.1 }, { nonFinite: 'ignore' as never })).toThrow(
      /SGD: nonFinite must be 'throw', 'skip' or 'unchecked', got "ignore"/
    );
    w.dispose();
  });
});
