// Optimizer step over ResNet-50's 161 parameter tensors (25,557,032 float32 values) in two groups
// (conv/linear weights with decay; BN parameters and biases without), gradients given.
// Prints ms per step for @paramscope/core's SGD-momentum, AdamW, LARS, RMSprop, Adagrad, NAdam,
// RAdam, Lion and LAMB (in the calling thread, and with worker threads on the cpu, tensorflow and
// wasm-threads backends; checked, and with `nonFinite: 'unchecked'`), next to TF.js's own
// tf.train.momentum / adam / rmsprop / adagrad on the same backend and PyTorch's fused (SGD, AdamW,
// Adagrad) or foreach (the others) CPU optimizers (when torch imports), measured in this run, with
// ratios, and the load average at the start and the end.
//
//   npx tsc -b packages/core && node packages/core/bench/optim.bench.mjs [--backends cpu,wasm,wasm-threads,tensorflow]
//     [--steps 10]
//     [--tfjs-steps 3] [--optimizers SGD,AdamW,...] [--non-finite throw,unchecked] [--caller-share 0.5]
//     [--no-torch] [--no-threads]
import { spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import {
  args,
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

const backends = option('backends', 'wasm,cpu').split(',');
const steps = Number(option('steps', '10'));
const tfjsSteps = Number(option('tfjs-steps', '3'));
const withTorch = !args.includes('--no-torch');
// Optimizers to time (default: all); e.g. --optimizers AdamW,SGD.
const only = option('optimizers', '').split(',').filter(Boolean);
const wanted = (name) => only.length === 0 || only.some((o) => name.toLowerCase().startsWith(o.toLowerCase()));
if (args.includes('--help')) {
  console.log(
    'node bench/optim.bench.mjs [--backends wasm,wasm-threads,cpu,tensorflow] [--steps 10] [--tfjs-steps 3] ' +
      '[--optimizers SGD,AdamW,...] [--non-finite throw,unchecked] [--caller-share 0.5] [--no-torch] [--no-threads]'
  );
  process.exit(0);
}
const withThreads = !args.includes('--no-threads');
// Checked (the default: every gradient checked before any change) and unchecked (torch.optim's way).
const nonFiniteModes = option('non-finite', 'throw,unchecked').split(',');
/** ' (threads)' → ' (threads, unchecked)' for the unchecked runs. */
const modeSuffix = (suffix, mode) => {
  if (mode === 'throw') return suffix;
  return suffix ? suffix.replace(/\)$/, `, ${mode})`) : ` (${mode})`;
};
// The native backend, when installed (`make native`): there the loops run on host copies of the weights.
if (backends.includes('tensorflow')) require('@tensorflow/tfjs-node');

const show = (t) => `${t.median.toFixed(1).padStart(8)} ms (min ${t.min.toFixed(1)})`;

/** Pythons to try for PyTorch, in order: $PARAMSCOPE_TORCH_PYTHON, then python3. */
const torchPythons = [process.env.PARAMSCOPE_TORCH_PYTHON, 'python3'].filter(Boolean);

/** The optimizers PyTorch has (LARS is not in torch.optim). */
const TORCH_NAMES = ['SGD momentum', 'AdamW', 'RMSprop', 'Adagrad', 'NAdam', 'RAdam'];

/** PyTorch's fused and default (foreach) optimizers on the same shapes, in a child process. */
function torchTimes(params) {
  const script = `
import json, sys, time, torch
spec = json.load(sys.stdin)
torch.manual_seed(0)
ps = [torch.randn(p["shape"]) * 0.05 for p in spec["params"]]
for p in ps: p.grad = torch.randn_like(p) * 1e-3
def groups(): return [{"params": [p for p, s in zip(ps, spec["params"]) if s["decay"]], "weight_decay": 1e-4},
                      {"params": [p for p, s in zip(ps, spec["params"]) if not s["decay"]], "weight_decay": 0.0}]
def bench(opt, n):
    for _ in range(2): opt.step()
    ts = []
    for _ in range(n):
        t = time.perf_counter(); opt.step(); ts.append((time.perf_counter() - t) * 1000)
    ts.sort()
    return {"median": ts[len(ts) // 2], "min": ts[0]}
n = spec["steps"]
O = torch.optim
runs = {"SGD momentum fused": lambda: O.SGD(groups(), lr=0.1, momentum=0.9, fused=True),
        "AdamW fused": lambda: O.AdamW(groups(), lr=1e-3, fused=True),
        "Adagrad fused": lambda: O.Adagrad(groups(), lr=1e-2, fused=True),
        "SGD momentum foreach": lambda: O.SGD(groups(), lr=0.1, momentum=0.9, foreach=True),
        "AdamW foreach": lambda: O.AdamW(groups(), lr=1e-3, foreach=True),
        "RMSprop foreach": lambda: O.RMSprop(groups(), lr=1e-2, foreach=True),
        "Adagrad foreach": lambda: O.Adagrad(groups(), lr=1e-2, foreach=True),
        "NAdam foreach": lambda: O.NAdam(groups(), lr=2e-3, foreach=True),
        "RAdam foreach": lambda: O.RAdam(groups(), lr=1e-3, foreach=True)}
out = {"threads": torch.get_num_threads(), "version": torch.__version__}
for key, make in runs.items():
    if key.rsplit(" ", 1)[0] in spec["wanted"]: out[key] = bench(make(), n)
# One core's worth, next to the calling-thread-only figures.
torch.set_num_threads(1)
for key in ["SGD momentum fused", "AdamW fused"]:
    if key in out: out[key + ", 1 thread"] = bench(runs[key](), n)
print(json.dumps(out))
`;
  for (const python of torchPythons) {
    const probe = spawnSync(python, ['-c', 'import torch'], { encoding: 'utf8' });
    if (probe.status !== 0) continue;
    const run = spawnSync(python, ['-c', script], {
      input: JSON.stringify({ params, steps, wanted: TORCH_NAMES.filter(wanted) }),
      encoding: 'utf8',
      maxBuffer: 1 << 20
    });
    if (run.status !== 0) {
      console.log(`PyTorch run failed with ${python}: ${run.stderr.trim().split('\n').pop()}`);
      return undefined;
    }
    return { python, ...JSON.parse(run.stdout.trim().split('\n').pop()) };
  }
  console.log(
    `PyTorch not importable (tried ${torchPythons.join(', ')}; set PARAMSCOPE_TORCH_PYTHON to a Python with torch): ` +
      'skipping the PyTorch baselines.'
  );
  return undefined;
}

async function benchBackend(backend, params) {
  await startBackend(backend);
  const variables = params.map((p, i) =>
    tf.tidy(() =>
      tf.variable(
        tf.tensor(
          fill(
            p.shape.reduce((a, b) => a * b, 1),
            0.05,
            i + 1
          ),
          p.shape
        ),
        true,
        `${backend}/${p.name}`
      )
    )
  );
  const grads = {};
  params.forEach((p, i) => (grads[variables[i].name] = tf.tensor(fill(variables[i].size, 1e-3, 1000 + i), p.shape)));
  const groups = () => [
    {
      params: params.map((p, i) => ({ name: p.name, variable: variables[i] })).filter((_, i) => params[i].decay),
      weightDecay: 1e-4
    },
    {
      params: params.map((p, i) => ({ name: p.name, variable: variables[i] })).filter((_, i) => !params[i].decay),
      weightDecay: 0,
      layerAdaptation: false
    }
  ];
  const results = {};
  const executors = [['', () => undefined]];
  // Worker threads share the weights where they live in shared memory: the cpu backend's storage,
  // tfjs-node's host copies and the threaded wasm build's heap (the single-threaded one's is not shared).
  if (nodeEntry && withThreads && threadsReach(backend)) {
    const callerShare = option('caller-share', '');
    executors.push([
      ' (threads)',
      () => nodeEntry.createThreadExecutor(callerShare ? { callerShare: Number(callerShare) } : {})
    ]);
  }
  for (const [suffix, makeExecutor, nonFinite] of executors.flatMap(([suffix, make]) =>
    nonFiniteModes.map((mode) => [modeSuffix(suffix, mode), make, mode])
  )) {
    const executor = makeExecutor();
    const options = executor ? { executor, nonFinite } : { nonFinite };
    const runs = {
      'SGD momentum': () => new core.SGD(groups(), { lr: 0.1, momentum: 0.9 }, options),
      AdamW: () => new core.AdamW(groups(), { lr: 1e-3 }, options),
      LARS: () => new core.LARS(groups(), { lr: 0.1, momentum: 0.9 }, options),
      RMSprop: () => new core.RMSprop(groups(), { lr: 1e-2 }, options),
      Adagrad: () => new core.Adagrad(groups(), { lr: 1e-2 }, options),
      NAdam: () => new core.NAdam(groups(), { lr: 2e-3 }, options),
      RAdam: () => new core.RAdam(groups(), { lr: 1e-3 }, options),
      Lion: () => new core.Lion(groups(), { lr: 1e-4 }, options),
      LAMB: () => new core.LAMB(groups(), { lr: 1e-3 }, options)
    };
    for (const [name, make] of Object.entries(runs)) {
      if (!wanted(name)) continue;
      const opt = make();
      results[`paramscope ${name}${suffix}`] = timeCalls(() => opt.step(grads), 2, steps);
      opt.dispose();
    }
    await executor?.close();
  }
  // TF.js's own optimizers where one matches (they check nothing and keep no diagnostics).
  const tfGrads = () => ({ ...grads });
  const tfRuns = {
    'tf.train.momentum': ['SGD momentum', () => tf.train.momentum(0.1, 0.9)],
    'tf.train.adam': ['AdamW', () => tf.train.adam(1e-3)],
    'tf.train.rmsprop': ['RMSprop', () => tf.train.rmsprop(1e-2, 0.99, 0, 1e-8)],
    'tf.train.adagrad': ['Adagrad', () => tf.train.adagrad(1e-2)]
  };
  for (const [name, [ours, make]] of Object.entries(tfRuns)) {
    if (!wanted(ours)) continue;
    const opt = make();
    results[name] = timeCalls(() => opt.applyGradients(tfGrads()), 1, tfjsSteps);
    opt.dispose();
  }
  tf.dispose([variables, Object.values(grads)]);
  return results;
}

const params = resnet50Params();
const total = params.reduce((n, p) => n + p.shape.reduce((a, b) => a * b, 1), 0);
console.log(
  `ResNet-50: ${params.length} tensors, ${total.toLocaleString('en-US')} float32 values; ` +
    `${params.filter((p) => p.decay).length} with decay`
);
// Memory-bound loops on few cores: other processes distort every figure, PyTorch's threads most.
const loadNote = () => `load average ${loadavg()[0].toFixed(2)} on ${availableParallelism()} cores`;
console.log(`Start: ${loadNote()}${loadavg()[0] > 0.5 ? ' (the machine is busy: ratios are unreliable)' : ''}`);
const torch = withTorch ? torchTimes(params) : undefined;
if (torch) {
  console.log(`PyTorch ${torch.version} (${torch.threads} threads, ${torch.python}):`);
  for (const [key, t] of Object.entries(torch))
    if (t && typeof t === 'object') console.log(`  ${key.padEnd(34)} ${show(t)}`);
}
if (!nodeEntry) console.log('lib/node not built: no worker-thread figures.');
for (const backend of backends) {
  const results = await benchBackend(backend, params);
  console.log(`TF.js ${backend} backend:`);
  // Ratios of medians (and of minima in brackets).
  const ratio = (a, b) => `${(a.median / b.median).toFixed(2)}× (${(a.min / b.min).toFixed(2)}×)`;
  const tfNames = {
    'SGD momentum': 'tf.train.momentum',
    AdamW: 'tf.train.adam',
    RMSprop: 'tf.train.rmsprop',
    Adagrad: 'tf.train.adagrad'
  };
  for (const [name, t] of Object.entries(results)) {
    const ratios = [];
    // The optimizer this line is, and PyTorch's fastest form of it (fused where torch has one).
    const ours = name.startsWith('paramscope ')
      ? name.slice('paramscope '.length).replace(/ \(.*$/, '')
      : Object.keys(tfNames).find((k) => tfNames[k] === name);
    const reference =
      torch && ours
        ? torch[`${ours} fused`]
          ? `${ours} fused`
          : torch[`${ours} foreach`]
            ? `${ours} foreach`
            : undefined
        : undefined;
    if (reference) ratios.push(`${ratio(t, torch[reference])} PyTorch ${reference}`);
    if (name.startsWith('paramscope') && results[tfNames[ours]])
      ratios.push(`${tfNames[ours]} takes ${ratio(results[tfNames[ours]], t)}`);
    console.log(`  ${name.padEnd(40)} ${show(t)}   ${ratios.join('; ')}`);
  }
}
console.log(`End: ${loadNote()}`);
