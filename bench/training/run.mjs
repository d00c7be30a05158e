// Training speed of TF.js's backends against PyTorch CPU, in one run: a small BN CNN and a
// ResNet-18, trained for a fixed number of steps on the same architecture, batch, data and
// optimizer (SGD, momentum 0.9). Prints ms per step (median and mean) and the ratio to PyTorch.
// Each runner is a separate process (tfjs-worker.mjs, torch_bench.py); a runner that is not
// available (native backend not built, no PyTorch) gets a note and the others go on.
//
// Usage: node bench/training/run.mjs [--models bnCnn,resnet18] [--backends tensorflow,wasm,cpu]
//          [--impl ops,ops-closed-form,native-fused,core,core-nn] [--steps N] [--threads N]
// --threads N caps PyTorch (torch.set_num_threads) and native TensorFlow (TF_NUM_INTRAOP_THREADS)
// at N threads: on a machine that other work shares, spinning thread pools distort the figures.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');

/** The networks and their inputs; the same spec goes to both frameworks. */
const MODELS = {
  bnCnn: { inChannels: 1, height: 28, width: 28, widths: [32, 64], numClasses: 10, steps: 20, warmup: 3 },
  resnet18: { inChannels: 3, height: 32, width: 32, widths: [], numClasses: 10, steps: 10, warmup: 2 }
};
const SHARED = { batch: 64, learningRate: 0.01, momentum: 0.9 };
const BACKENDS = ['tensorflow', 'wasm', 'cpu'];
/** The TF.js side's implementations (see README.md), with their row labels. */
const IMPLEMENTATION_LABELS = {
  ops: 'bench ops',
  'ops-closed-form': 'bench ops, closed-form BN/ReLU grads',
  'native-fused': 'bench ops, TF fused BN/ReLU kernels',
  core: '@paramscope/core',
  'core-nn': '@paramscope/core nn, tf.train.momentum'
};
const IMPLEMENTATIONS = Object.keys(IMPLEMENTATION_LABELS);
// TF.js's cpu backend needs seconds per step even for the small CNN: it runs only that, briefly.
const CPU_LIMITS = { models: ['bnCnn'], steps: 3, warmup: 1 };
const RUNNER_TIMEOUT_MS = 30 * 60 * 1000;
const LABEL_WIDTH = 72;

function parseArgs(argv) {
  const options = {
    models: Object.keys(MODELS),
    backends: BACKENDS,
    impl: IMPLEMENTATIONS,
    steps: null,
    threads: null
  };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    const list = value.split(',');
    if (flag === '--models') options.models = checkList(flag, list, Object.keys(MODELS));
    else if (flag === '--backends') options.backends = checkList(flag, list, BACKENDS);
    else if (flag === '--impl') options.impl = checkList(flag, list, IMPLEMENTATIONS);
    else if (flag === '--steps') options.steps = positiveInteger(flag, value);
    else if (flag === '--threads') options.threads = positiveInteger(flag, value);
    else throw new Error(`unknown option ${flag} (expected --models, --backends, --impl, --steps or --threads)`);
  }
  return options;
}

function positiveInteger(flag, value) {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new Error(`${flag} must be a positive integer, got "${value}"`);
  return n;
}

function checkList(flag, values, allowed) {
  const unknown = values.filter((v) => !allowed.includes(v));
  if (unknown.length)
    throw new Error(`${flag}: unknown ${unknown.join(', ')} (expected some of ${allowed.join(', ')})`);
  return values;
}

/** A Python with torch: $PARAMSCOPE_TORCH_PYTHON, then python3. */
function findTorchPython() {
  const candidates = [process.env.PARAMSCOPE_TORCH_PYTHON, 'python3'];
  for (const python of candidates.filter(Boolean)) {
    const probe = spawnSync(python, ['-c', 'import torch'], { stdio: 'ignore' });
    if (probe.status === 0) return python;
  }
  return null;
}

/** Why the built @paramscope/core cannot serve the bench (it needs nn and the filter-gradient kernel), or null. */
async function coreProblem() {
  try {
    const core = (await import('@paramscope/core')).default;
    const missing = ['nn.bnCnn', 'nn.resnet18', 'SGD', 'ensureConv2dFilterGradient'].filter(
      (name) => typeof name.split('.').reduce((o, key) => o?.[key], core) !== 'function'
    );
    return missing.length ? `@paramscope/core has no ${missing.join(', ')}` : null;
  } catch (error) {
    return `@paramscope/core does not load (${error.message})`;
  }
}

/** Runs one runner process and returns its JSON result ({ ms } or { unavailable } or { error }). */
function runRunner(command, args, env = {}) {
  const child = spawnSync(command, args, {
    cwd: ROOT,
    encoding: 'utf8',
    timeout: RUNNER_TIMEOUT_MS,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, TF_CPP_MIN_LOG_LEVEL: '2', ...env }
  });
  if (child.error)
    return {
      error: child.error.code === 'ETIMEDOUT' ? `timed out after ${RUNNER_TIMEOUT_MS / 60000} min` : child.error.message
    };
  const lastLine = child.stdout.trim().split('\n').pop();
  try {
    return JSON.parse(lastLine);
  } catch {
    const stderr = child.stderr.trim().split('\n').slice(-3).join(' | ');
    return { error: `exited with ${child.status ?? child.signal}: ${stderr || lastLine || 'no output'}` };
  }
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

function mean(values) {
  return values.reduce((a, b) => a + b, 0) / values.length;
}

function libtensorflowVersion() {
  try {
    const built = path.join(ROOT, 'node_modules/@tensorflow/tfjs-node/deps/built-against');
    return fs.readFileSync(built, 'utf8').trim();
  } catch {
    return 'not built';
  }
}

function describeSpec(name, spec) {
  const input = `${spec.batch}×${spec.height}×${spec.width}×${spec.inChannels}`;
  const arch =
    name === 'bnCnn' ? `conv-bn-relu ×${spec.widths.length} [${spec.widths}], pool, linear` : 'torchvision ResNet-18';
  return `${name} (${arch}; input ${input}, ${spec.numClasses} classes)`;
}

function formatRow(label, result, baselineMedian) {
  if (result.unavailable) return `  ${label.padEnd(LABEL_WIDTH)} not run: ${result.unavailable}`;
  if (result.error) return `  ${label.padEnd(LABEL_WIDTH)} FAILED: ${result.error}`;
  const med = median(result.ms);
  const ratio = baselineMedian ? `${(med / baselineMedian).toFixed(2)}×` : 'n/a';
  const notes = [`${result.ms.length} steps`, `final loss ${result.loss.toFixed(3)}`];
  if (result.threads !== undefined) notes.push(`${result.threads} thread${result.threads === 1 ? '' : 's'}`);
  const columns = `${med.toFixed(1).padStart(9)} ${mean(result.ms).toFixed(1).padStart(9)} ${ratio.padStart(9)}`;
  return `  ${label.padEnd(LABEL_WIDTH)} ${columns}   ${notes.join(', ')}`;
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const problem = await coreProblem();
  if (problem) throw new Error(`${problem}: build it first (npx tsc -b packages/core)`);
  const python = findTorchPython();

  console.log(`Training benchmark: ${os.cpus().length} cores, load average ${os.loadavg()[0].toFixed(2)} at start`);
  if (options.threads) console.log(`  PyTorch and native TensorFlow capped at ${options.threads} thread(s)`);
  const tfjsPackage = path.join(ROOT, 'node_modules/@tensorflow/tfjs/package.json');
  const tfjsVersion = JSON.parse(fs.readFileSync(tfjsPackage, 'utf8')).version;
  console.log(
    `  Node ${process.version}, @tensorflow/tfjs ${tfjsVersion}, native libtensorflow: ${libtensorflowVersion()}`
  );
  if (!python)
    console.log('  note: no Python with torch found (set PARAMSCOPE_TORCH_PYTHON): PyTorch is skipped, ratios are n/a');

  for (const model of options.models) {
    const base = { model, ...SHARED, ...MODELS[model] };
    if (options.steps) base.steps = options.steps;
    if (options.threads) base.threads = options.threads;
    console.log(`\n${describeSpec(model, base)}, batch ${base.batch}, SGD momentum ${base.momentum}`);
    console.log(
      `  ${'runner'.padEnd(LABEL_WIDTH)} ${'median'.padStart(9)} ${'mean'.padStart(9)} ${'ratio'.padStart(9)}   ` +
        "(ms per training step; ratio = median / PyTorch's)"
    );

    const torch = python
      ? runRunner(python, [path.join(HERE, 'torch_bench.py'), JSON.stringify({ ...base, backend: 'torch' })])
      : { unavailable: 'no Python with torch' };
    const baseline = torch.ms ? median(torch.ms) : null;
    console.log(formatRow(`PyTorch ${torch.version ?? ''} CPU`.replace('  ', ' '), torch, baseline));

    for (const impl of options.impl) {
      for (const backend of options.backends) {
        const label = `TF.js ${backend} (${IMPLEMENTATION_LABELS[impl]})`;
        if (impl === 'native-fused' && backend !== 'tensorflow') continue;
        if (backend === 'cpu' && !CPU_LIMITS.models.includes(model)) {
          console.log(formatRow(label, { unavailable: 'too slow on TF.js cpu (only the small CNN runs there)' }));
          continue;
        }
        const spec = {
          ...base,
          backend,
          impl,
          ...(backend === 'cpu' ? { steps: CPU_LIMITS.steps, warmup: CPU_LIMITS.warmup } : {})
        };
        const threadsEnv = options.threads ? { TF_NUM_INTRAOP_THREADS: String(options.threads) } : {};
        const result = runRunner(
          process.execPath,
          [path.join(HERE, 'tfjs-worker.mjs'), JSON.stringify(spec)],
          threadsEnv
        );
        const suffix = result.filterGrad === 'im2col' ? ', im2col filter grad' : '';
        console.log(formatRow(label.replace(')', `${suffix})`), result, baseline));
      }
    }
  }
  console.log(
    `\nload average ${os.loadavg()[0].toFixed(2)} at the end (figures are noisy when other work shares the cores)`
  );
}

main().catch((error) => {
  console.error(`bench/training: ${error.message}`);
  process.exitCode = 1;
});
