// Where a ResNet-50 optimizer step spends its time (the figures of the core README's "What bounds
// the step"): the executor's two passes (the check with Σ g², then the update) timed apart for
// SGD-momentum and AdamW on each backend, in the calling thread and with worker threads, checked and
// with `nonFinite: 'unchecked'` (no check: the update copies gradients and sums Σ g²); then the
// SIMD loops alone on the arena over the same 25,557,032 values, out of cache (one call over all)
// and in cache (the same work in 256 KiB blocks), next to a plain copy of that many gradients.
//
//   npx tsc -b packages/core && node packages/core/bench/step-phases.bench.mjs
//     [--backends cpu,wasm,wasm-threads,tensorflow] [--steps 10]
import { availableParallelism, loadavg } from 'node:os';
import { performance } from 'node:perf_hooks';
import {
  core,
  fill,
  nodeEntry,
  option,
  require,
  resnet50Params,
  startBackend,
  tf,
  threadsReach
} from './optim-setup.mjs';
import { timeCalls } from './timing.mjs';

const { simdArena } = require('../lib/optim/simd/arena.js');
const { sgdRule } = require('../lib/optim/rules/sgd.js');
const { adamWRule } = require('../lib/optim/rules/adam.js');
const { measureCall } = require('../lib/optim/rules/measure.js');

const backends = option('backends', 'cpu,wasm').split(',');
const steps = Number(option('steps', '10'));
if (backends.includes('tensorflow')) require('@tensorflow/tfjs-node');

const median = (values) => (values.length === 0 ? 0 : [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]);
const ms = (value) => `${value.toFixed(1).padStart(6)} ms`;

/** `executor` with each pass's duration recorded in `times`. */
function timedExecutor(executor, times) {
  const timed = (pass, run) => {
    const start = performance.now();
    const result = run();
    times[pass].push(performance.now() - start);
    return result;
  };
  return {
    allocate: executor.allocate,
    accepts: executor.accepts?.bind(executor),
    beginStep: executor.beginStep?.bind(executor),
    measure: (tasks) => timed('check', () => executor.measure(tasks)),
    update: (rule, tasks) => timed('update', () => executor.update(rule, tasks))
  };
}

async function phases(backend, params) {
  await startBackend(backend);
  const variables = params.map((p, i) =>
    tf.tidy(() => tf.variable(tf.tensor(fill(tf.util.sizeFromShape(p.shape), 0.05, i + 1), p.shape)))
  );
  const grads = new Map(variables.map((v, i) => [v, tf.tensor(fill(v.size, 1e-3, 1000 + i), v.shape)]));
  const groups = () => [
    { params: variables.filter((_, i) => params[i].decay), weightDecay: 1e-4 },
    { params: variables.filter((_, i) => !params[i].decay), weightDecay: 0 }
  ];
  const executors = [['calling thread', () => core.inlineExecutor]];
  if (nodeEntry && threadsReach(backend)) executors.push(['worker threads', () => nodeEntry.createThreadExecutor()]);
  console.log(`TF.js ${backend} backend (median of ${steps} steps):`);
  for (const [label, make] of executors) {
    const executor = make();
    for (const [name, build, nonFinite] of [
      ['SGD momentum', (options) => new core.SGD(groups(), { lr: 0.1, momentum: 0.9 }, options), 'throw'],
      ['AdamW', (options) => new core.AdamW(groups(), { lr: 1e-3 }, options), 'throw'],
      // Unchecked: no check, the update copies what it needs and sums Σ g² itself.
      ['SGD unchecked', (options) => new core.SGD(groups(), { lr: 0.1, momentum: 0.9 }, options), 'unchecked'],
      ['AdamW unchecked', (options) => new core.AdamW(groups(), { lr: 1e-3 }, options), 'unchecked']
    ]) {
      const times = { check: [], update: [] };
      const optimizer = build({ executor: timedExecutor(executor, times), nonFinite });
      const step = timeCalls(
        () => optimizer.step(grads),
        2,
        steps,
        () => Object.values(times).forEach((t) => (t.length = 0))
      );
      const other = step.median - median(times.check) - median(times.update);
      console.log(
        `  ${`${name}, ${label}`.padEnd(32)} step ${ms(step.median)}: check ${ms(median(times.check))}, ` +
          `update ${ms(median(times.update))}, the rest ${ms(Math.max(0, other))}`
      );
      optimizer.dispose();
    }
    await executor.close?.();
  }
  tf.dispose([variables, [...grads.values()]]);
}

/** The SIMD loops alone on the arena, and a copy, over `n` values. */
function loops(n) {
  const arena = simdArena();
  if (!arena) {
    console.log('No shared WebAssembly memory here: no loop figures.');
    return;
  }
  const block = 65536;
  const length = n - (n % block);
  const [param, grad, first, second, copy] = [0, 1, 2, 3, 4].map(() => arena.alloc(length));
  param.set(fill(length, 0.05, 1));
  grad.set(fill(length, 1e-3, 2));
  const at = (array) => arena.addressOf(array);
  const sums = at(arena.sums);
  const sgd = sgdRule.simd({
    lr: 0.1,
    momentum: 0.9,
    decay: 0.9,
    blend: 1,
    weightDecay: 1e-4,
    nesterov: false,
    gradSign: 1
  });
  const adamw = adamWRule.simd({
    stepSize: 1e-3,
    oneMinusBeta1: 0.1,
    beta2: 0.999,
    oneMinusBeta2: 0.001,
    eps: 1e-8,
    inverseBiasCorrection2Sqrt: 1.2,
    l2: 0,
    decayFactor: 0.99999,
    gradSign: 1,
    amsgrad: false
  });
  const check = measureCall(0, false);
  // [label, bytes moved per value, loop over [offset, offset + count)]
  const cases = [
    ['check (Σ g²)', 4, (o, c) => arena.exports[check.fn](c, at(param) + 4 * o, at(grad) + 4 * o, 0, 0, 0, sums)],
    [
      'SGD momentum',
      20,
      (o, c) =>
        arena.exports[sgd.fn](c, at(param) + 4 * o, at(grad) + 4 * o, at(first) + 4 * o, 0, 0, sums, ...sgd.args)
    ],
    [
      'AdamW',
      28,
      (o, c) =>
        arena.exports[adamw.fn](
          c,
          at(param) + 4 * o,
          at(grad) + 4 * o,
          at(first) + 4 * o,
          at(second) + 4 * o,
          0,
          sums,
          ...adamw.args
        )
    ],
    ['copy of the gradients', 8, (o, c) => copy.set(grad.subarray(o, o + c), o)]
  ];
  console.log(`SIMD loops on the arena, one thread, ${length.toLocaleString('en-US')} values:`);
  for (const [label, bytes, run] of cases) {
    const whole = timeCalls(() => run(0, length), 2, steps);
    const blocks = timeCalls(
      () => {
        for (let o = 0; o < length; o += block) run(0, block);
      },
      2,
      steps
    );
    const rate = ((bytes * length) / whole.median / 1e6).toFixed(0);
    console.log(`  ${label.padEnd(24)} out of cache ${ms(whole.median)} (${rate} GB/s), in cache ${ms(blocks.median)}`);
  }
}

const params = resnet50Params();
const total = params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
console.log(`Start: load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`);
for (const backend of backends) await phases(backend, params);
loops(total);
console.log(`End: load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`);
