/**
 * Parity with torch.optim (and timm.optim for Lion and LAMB): replays the trajectories of
 * fixtures/optim/*.json (written by scripts/optim_reference.py and scripts/optim_reference_timm.py)
 * on cpu and wasm with the loops (in place, scalar, threads, assigned back) and with TF.js ops
 * (the path of GPU backends), and on tfjs-node when it is installed.
 */
import * as tf from '@tensorflow/tfjs';
import '@tensorflow/tfjs-backend-wasm';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createThreadExecutor } from '../node';
import {
  Adam,
  AdamW,
  LARS,
  RMSprop,
  SGD,
  Adagrad,
  NAdam,
  RAdam,
  Lion,
  LAMB,
  scalarExecutor,
  type BaseOptimizerOptions,
  type Optimizer,
  type OptimizerStateDict,
  type ParamGroupInput
} from './index';
import { nativeBackendInstalled } from '../../test-utils/native-backend';

interface Fixture {
  optimizer: keyof typeof CONSTRUCTORS;
  steps: number;
  params: Array<{ name: string; shape: number[]; values: number[] }>;
  defaults: Record<string, unknown>;
  groups: Array<{ params: number[]; [key: string]: unknown }>;
  trajectory: number[][][];
  stateDict: OptimizerStateDict;
}

const FIXTURES = join(__dirname, '..', '..', 'fixtures', 'optim');
const load = (name: string): Fixture => JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Fixture;

/** The noise source of scripts/optim_reference.py: exact float32 values in [-1, 1). */
class XorShift32 {
  constructor(private x: number) {}
  noise(n: number): Float32Array {
    const out = new Float32Array(n);
    for (let i = 0; i < n; i++) {
      let x = this.x;
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      this.x = x >>> 0;
      out[i] = (this.x >>> 8) / 2 ** 23 - 1;
    }
    return out;
  }
}

/** Every optimizer takes (groups, defaults, options), as torch.optim's take (params, **defaults). */
type OptimizerClass = new (
  groups: ParamGroupInput[],
  defaults: object,
  options: BaseOptimizerOptions
) => Optimizer<object>;
const CLASSES = {
  sgd: SGD,
  adam: Adam,
  adamw: AdamW,
  lars: LARS,
  rmsprop: RMSprop,
  adagrad: Adagrad,
  nadam: NAdam,
  radam: RAdam,
  lion: Lion,
  lamb: LAMB
};
// Their hyperparameter types differ; the fixtures give each its own.
const CONSTRUCTORS = CLASSES as unknown as Record<keyof typeof CLASSES, OptimizerClass>;

/** The fixture files: one per optimizer, and more configurations of some (their `optimizer` says which). */
const FIXTURE_NAMES = [...Object.keys(CONSTRUCTORS), 'lamb-options'];

/**
 * Relative error of a tensor: max |a − b| / max |b|. (Elementwise ratios would blow up for entries
 * passing through zero, where float32 rounding differences between the two implementations, which
 * order their float operations differently, are the same in absolute terms as elsewhere.)
 */
function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  let diff = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) {
    diff = Math.max(diff, Math.abs(actual[i] - expected[i]));
    scale = Math.max(scale, Math.abs(expected[i]));
  }
  return scale === 0 ? diff : diff / scale;
}

function replay(fixture: Fixture, options: BaseOptimizerOptions): { worst: number; optimizer: Optimizer<object> } {
  const variables = fixture.params.map((p) =>
    tf.tidy(() => tf.variable(tf.tensor(p.values, p.shape, 'float32'), true, `${p.name}-${Math.random()}`))
  );
  const named = fixture.params.map((p, i) => ({ name: p.name, variable: variables[i] }));
  const groups = fixture.groups.map(({ params, ...overrides }) => ({
    ...overrides,
    params: params.map((i) => named[i])
  }));
  const optimizer = new CONSTRUCTORS[fixture.optimizer](groups, fixture.defaults, options);
  const noise = new XorShift32(7 + fixture.optimizer.length);
  let worst = 0;
  for (let step = 0; step < fixture.steps; step++) {
    const grads = new Map<tf.Variable, tf.Tensor>();
    variables.forEach((v) => {
      const w = v.dataSync();
      const eps = noise.noise(v.size);
      grads.set(
        v,
        tf.tensor(
          eps.map((e, i) => 0.5 * w[i] + e),
          v.shape,
          'float32'
        )
      );
    });
    optimizer.step(grads);
    tf.dispose([...grads.values()]);
    variables.forEach((v, i) => {
      const err = maxRelativeError(v.dataSync(), fixture.trajectory[step][i]);
      if (err > 1e-5)
        throw new Error(`${fixture.optimizer}: ${fixture.params[i].name} off by ${err} at step ${step + 1}`);
      worst = Math.max(worst, err);
    });
  }
  return { worst, optimizer };
}

function expectStateDictMatches(actual: OptimizerStateDict, expected: OptimizerStateDict): void {
  expect(actual.paramGroups).toEqual(expected.paramGroups);
  expect(Object.keys(actual.state).sort()).toEqual(Object.keys(expected.state).sort());
  for (const [index, entry] of Object.entries(expected.state)) {
    const mine = actual.state[index];
    expect(Object.keys(mine).sort()).toEqual(Object.keys(entry).sort());
    for (const [field, value] of Object.entries(entry)) {
      if (typeof value === 'number') {
        expect(mine[field]).toBe(value);
      } else {
        const tensor = mine[field] as { shape: number[]; values: number[] };
        expect(tensor.shape).toEqual(value.shape);
        const err = maxRelativeError(tensor.values, value.values as number[]); // the fixtures' state is finite
        expect(err, `state ${index}.${field}`).toBeLessThanOrEqual(1e-5);
      }
    }
  }
}

// Worker threads split every tensor of 8 values or more here, so the threaded path is exercised.
const threads = createThreadExecutor({ threads: 3, minSplitSize: 8 });
const cases: Array<[string, string, BaseOptimizerOptions]> = [
  ['cpu', 'in place, SIMD', {}],
  ['cpu', 'in place, scalar kernels', { executor: scalarExecutor }],
  ['cpu', 'read-update-assign', { inPlace: false }],
  ['cpu', 'in place, 3 threads', { executor: threads }],
  ['wasm', 'in place in the heap, SIMD', {}],
  ['wasm', 'in place, scalar kernels', { executor: scalarExecutor }],
  ['wasm', 'in place, 3 threads (the calling one works alone)', { executor: threads }],
  ['wasm', 'read-update-assign', { inPlace: false }],
  ['cpu', 'TF.js ops', { tensorOps: true }],
  ['wasm', 'TF.js ops', { tensorOps: true }]
];
// The native backend, when a user has it (e.g. after `make native`): parity holds there too.
if (nativeBackendInstalled())
  cases.push(
    ['tensorflow', 'loops, assigned back', {}],
    ['tensorflow', 'loops on host copies, 3 threads', { executor: threads }],
    ['tensorflow', 'TF.js ops', { tensorOps: true }]
  );
afterAll(() => threads.close());

describe.each(cases)('parity with torch.optim on %s (%s)', (backend, _label, options) => {
  beforeAll(async () => {
    await tf.setBackend(backend);
    await tf.ready();
  });
  afterAll(async () => {
    await tf.setBackend('cpu');
  });

  for (const name of FIXTURE_NAMES) {
    it(`${name}: every parameter after each of 50 steps, and the final state dict`, () => {
      const fixture = load(name);
      const before = tf.memory().numTensors;
      const { worst, optimizer } = replay(fixture, options);
      expect(worst).toBeLessThanOrEqual(1e-5);
      console.log(`${name} on ${backend}: worst relative error ${worst.toExponential(2)}`);
      const stateDict = optimizer.stateDict();
      expectStateDictMatches(stateDict, fixture.stateDict);
      // Exact JSON round trip.
      const json = JSON.stringify(stateDict);
      optimizer.loadStateDict(JSON.parse(json) as OptimizerStateDict);
      expect(JSON.stringify(optimizer.stateDict())).toBe(json);
      optimizer.dispose();
      for (const group of optimizer.paramGroups) for (const p of group.params) p.variable.dispose();
      expect(tf.memory().numTensors).toBe(before);
    });
  }
});
