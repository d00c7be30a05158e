// Kernel-side cost of the inspector: publishing a full snapshot (what `inspect` and the after-cell
// update do: describe the groups, verify them, read every weight norm, build the JSON and its
// text version) for SGD on the nn ResNet-50 (161 tensors, 25.6M values) and on a synthetic model
// with 10,000 parameter tensors (2,500 conv → BatchNorm → linear blocks, 6.5M values).
// Each is measured twice in the same run: with the weight norms read one tensor at a time (one
// `norm()` and one `dataSync` per tensor, as snapshots did before) and batched (one `tf.tidy`,
// one stacked vector, one `dataSync`), with the ratio, and the norms themselves compared.
// Also times the after-cell check when nothing changed (no tensor reads). Prints medians.
//
//   npm run bench -w @paramscope/notebook
//   node packages/notebook/bench/snapshot.bench.mjs [--backends cpu,wasm] [--runs 5]
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';

const require = createRequire(import.meta.url);
const tf = require('@tensorflow/tfjs');
require('@tensorflow/tfjs-backend-wasm');
const core = require('@paramscope/core');
const notebook = require('../lib/index.js');
const { weightNorms } = require('../lib/inspector/entry.js');

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const backends = option('backends', 'cpu').split(',');
const runs = Number(option('runs', '5'));

/**
 * Median times in ms of each function, after a warm-up call each, timed in turn (so load on the
 * machine hits all alike).
 */
function medians(...fns) {
  for (const fn of fns) fn();
  const times = fns.map(() => []);
  for (let i = 0; i < runs; i++) {
    fns.forEach((fn, k) => {
      const start = performance.now();
      fn();
      times[k].push(performance.now() - start);
    });
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

/** 2,500 blocks of Conv2d(16→16, 3×3, no bias) → BatchNorm2d(16) → Linear(16→16, no bias), with variables. */
function syntheticModel(blocks) {
  const modules = [
    { path: '', kind: 'Net' },
    { path: 'blocks', kind: 'ModuleList' }
  ];
  const edges = [];
  for (let b = 0; b < blocks; b++) {
    const p = `blocks.${b}`;
    modules.push({ path: p, kind: 'Block' });
    modules.push({ path: `${p}.conv`, kind: 'Conv2d', params: [{ name: 'weight', shape: [16, 16, 3, 3] }] });
    modules.push({
      path: `${p}.bn`,
      kind: 'BatchNorm2d',
      params: [
        { name: 'weight', shape: [16] },
        { name: 'bias', shape: [16] }
      ]
    });
    modules.push({ path: `${p}.proj`, kind: 'Linear', params: [{ name: 'weight', shape: [16, 16] }] });
    edges.push({ from: `${p}.conv`, to: `${p}.bn`, via: [] }, { from: `${p}.proj`, to: 'op:add', via: [] });
  }
  const model = core.paramModelFromStructure({
    format: 'paramscope-structure',
    version: 1,
    model: `synthetic-${blocks * 4}`,
    modules,
    edges
  });
  const params = model.params.map((p, k) => ({
    ...p,
    variable: tf.variable(tf.randomNormal(p.shape, 0, 0.1, 'float32', k), true, `synthetic/${p.name}`)
  }));
  return { model: { ...model, params }, dispose: () => params.forEach((p) => p.variable.dispose()) };
}

/** The weight norms of a snapshot, in order. */
function norms(snapshot) {
  return snapshot.entries.flatMap((e) => e.groups.flatMap((g) => g.params.map((p) => p.weightNorm)));
}

function measure(label, source, model) {
  const optimizer = new core.SGD(core.groupsByModuleType(source, { weightDecay: 1e-4, lr: 0.1 }), {
    lr: 0.1,
    momentum: 0.9
  });
  const tensors = model.params.map((p) => p.variable);
  const row = { label, tensors: tensors.length, values: model.params.reduce((s, p) => s + p.size, 0) };
  const registries = ['one-by-one', 'batched'].map((reading) => {
    const registry = new notebook.InspectorRegistry();
    registry.normReading = reading;
    registry.register(optimizer, { model: source, label });
    return registry;
  });
  [row.publishBefore, row.publishNow] = medians(...registries.map((r) => () => r.publishSnapshot()));
  [row.normsBefore, row.normsNow] = medians(
    ...['one-by-one', 'batched'].map((reading) => () => weightNorms(tensors, reading))
  );
  [row.unchanged] = medians(() => registries[1].publishIfChanged());
  const [a, b] = registries.map((r) => norms(r.snapshot()));
  const maxRel = Math.max(0, ...a.map((x, k) => (x === b[k] ? 0 : Math.abs(x - b[k]) / Math.abs(x))));
  row.identical =
    a.length === b.length && maxRel === 0 ? 'identical' : `differ (max relative ${maxRel.toExponential(1)})`;
  return row;
}

const ms = (x) => `${x.toFixed(1).padStart(8)} ms`;
notebook.setDisplaySink({ write: () => undefined });
console.log(`inspector snapshot benchmark, median of ${runs} runs after a warm-up (Node ${process.version})`);
for (const backend of backends) {
  await tf.setBackend(backend);
  await tf.ready();
  const rows = [];
  const resnet = core.nn.resnet50();
  rows.push(measure('nn.resnet50', resnet, core.toParamModel(resnet)));
  resnet.dispose();
  const synthetic = syntheticModel(2500);
  rows.push(measure('synthetic', synthetic.model, synthetic.model));
  synthetic.dispose();
  console.log(`\nbackend: ${tf.getBackend()}`);
  for (const r of rows) {
    const publishSpeedUp = (r.publishBefore / r.publishNow).toFixed(2);
    const normsSpeedUp = (r.normsBefore / r.normsNow).toFixed(2);
    console.log(`\n${r.label}: ${r.tensors} tensors, ${(r.values / 1e6).toFixed(1)}M values`);
    console.log(`  publish a full snapshot, norms one by one (before) ${ms(r.publishBefore)}`);
    console.log(
      `  publish a full snapshot, norms batched (now)       ${ms(r.publishNow)}  (${publishSpeedUp}× faster)`
    );
    const normsAlone = `one by one ${ms(r.normsBefore).trim()}, batched ${ms(r.normsNow).trim()}`;
    console.log(`  the weight norms alone: ${normsAlone}  (${normsSpeedUp}×)`);
    console.log(`  after-cell check, nothing changed                  ${ms(r.unchanged)}`);
    console.log(`  weight norms in the two snapshots: ${r.identical}`);
  }
}
