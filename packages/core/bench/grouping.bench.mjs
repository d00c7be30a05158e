// Time to build and verify parameter groups: torchvision's ResNet-50 (161 tensors, from the
// committed structure fixture), a Llama-2-7B-shaped model exported on torch's meta device
// (bench/fixtures/llama-2-7b-meta.json, written by packages/python/bench/export_meta_bench.py
// --out; target: load + group + verify under 100 ms) and a synthetic model with 10,000 parameter tensors (2,500
// conv → BatchNorm → linear-with-bias blocks, with graph edges). Each workload is timed against
// two baselines measured in the same run: a bare loop that splits the tensors into two arrays by
// name, and the document's name-heuristic recipe (6.1). Target: under 50 ms for the 10,000-tensor
// build-and-verify. Also times the nn ResNet-50 (reading its parameters from TF.js modules).
// Prints medians over repeated runs after a warm-up.
//
//   npx tsc -b packages/core && node packages/core/bench/grouping.bench.mjs [--runs 30]
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { timeCalls } from './timing.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const core = require('../lib/index.js');

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
const runs = runsAt >= 0 ? Number(args[runsAt + 1]) : 30;

const median = (fn) => timeCalls(fn, 3, runs).median;

/** 2,500 blocks of Conv2d(no bias) → BatchNorm2d → Linear(bias): 4 tensors each. */
function syntheticStructure(blocks) {
  const modules = [{ path: '', kind: 'Net' }];
  const edges = [];
  for (let b = 0; b < blocks; b++) {
    const p = `blocks.${b}`;
    if (b === 0) modules.push({ path: 'blocks', kind: 'ModuleList' });
    modules.push({ path: p, kind: 'Block' });
    modules.push({ path: `${p}.conv`, kind: 'Conv2d', params: [{ name: 'weight', shape: [64, 64, 3, 3] }] });
    modules.push({
      path: `${p}.bn`,
      kind: 'BatchNorm2d',
      params: [
        { name: 'weight', shape: [64] },
        { name: 'bias', shape: [64] }
      ]
    });
    modules.push({ path: `${p}.proj`, kind: 'Linear', params: [{ name: 'weight', shape: [64, 64] }] });
    edges.push({ from: `${p}.conv`, to: `${p}.bn`, via: [] }, { from: `${p}.proj`, to: 'op:add', via: [] });
  }
  return { format: 'paramscope-structure', version: 1, model: `synthetic-${blocks * 4}`, modules, edges };
}

function bareSplit(model) {
  const decay = [];
  const noDecay = [];
  for (const p of model.params) (p.name.includes('bn') || p.name.includes('bias') ? noDecay : decay).push(p);
  return [decay, noDecay];
}

const rules = [
  { description: 'head lr', name: 'blocks.0.*', lr: 0.01 },
  { description: 'no decay on projections', moduleKind: 'Linear', weightDecayMultiplier: 0.5 }
];

function buildAndVerify(model, withRules) {
  const { groups } = core.groupParams(model, withRules ? { lr: 0.1, rules } : {});
  const report = core.verifyParamGroups(model, groups);
  // The rules decay Linear biases on purpose (a bias-decayed warning): only errors stop the bench.
  if (report.verdict === 'errors')
    throw new Error(`verification failed: ${report.findings.find((f) => f.severity === 'error').message}`);
  return groups;
}

const rows = [];
function workload(label, structureJson) {
  const parsed = JSON.parse(structureJson);
  const model = core.paramModelFromStructure(parsed);
  const load = median(() => core.paramModelFromStructure(JSON.parse(structureJson)));
  const bare = median(() => bareSplit(model));
  const heuristic = median(() => core.groupsByNameHeuristic(model));
  const group = median(() => core.groupParams(model));
  const both = median(() => buildAndVerify(model, false));
  const withRules = median(() => buildAndVerify(model, true));
  const endToEnd = median(() => buildAndVerify(core.paramModelFromStructure(JSON.parse(structureJson)), false));
  rows.push({ label, tensors: model.params.length, load, bare, heuristic, group, both, withRules, endToEnd });
}

workload('resnet50', readFileSync(join(here, '../fixtures/structures/resnet50.json'), 'utf8'));
workload('llama-2-7b (meta export)', readFileSync(join(here, 'fixtures/llama-2-7b-meta.json'), 'utf8'));
workload('synthetic', JSON.stringify(syntheticStructure(2500)));

// The nn ResNet-50 (TF.js variables): reading its parameter model, then grouping and verifying.
const tf = require('@tensorflow/tfjs');
await tf.setBackend('cpu');
const net = core.nn.resnet50();
const nnRead = median(() => core.paramModelFromModule(net));
const nnModel = core.paramModelFromModule(net);
const nnBoth = median(() => buildAndVerify(nnModel, false));
const nnEnd = median(() => buildAndVerify(core.paramModelFromModule(net), false));
net.dispose();

const ms = (x) => `${x.toFixed(3)} ms`;
console.log(`grouping benchmark, median of ${runs} runs (Node ${process.version})`);
for (const r of rows) {
  console.log(`\n${r.label}: ${r.tensors} tensors`);
  console.log(`  baseline: bare name split             ${ms(r.bare)}`);
  console.log(`  baseline: groupsByNameHeuristic (6.1)  ${ms(r.heuristic)}`);
  console.log(`  groupParams (structural default)       ${ms(r.group)}  (${(r.group / r.heuristic).toFixed(2)}× 6.1)`);
  console.log(
    `  groupParams + verifyParamGroups        ${ms(r.both)}  ` +
      `(${(r.both / r.heuristic).toFixed(2)}× 6.1, ${(r.both / r.bare).toFixed(1)}× bare split)`
  );
  console.log(`  … with 2 rules and an lr               ${ms(r.withRules)}`);
  console.log(`  structure file parse+validate+graph    ${ms(r.load)}`);
  console.log(`  load + group + verify (end to end)     ${ms(r.endToEnd)}`);
}
console.log('\nresnet50 as nn modules (TF.js variables): 161 tensors');
console.log(`  paramModelFromModule (no trace)        ${ms(nnRead)}`);
console.log(`  groupParams + verifyParamGroups        ${ms(nnBoth)}`);
console.log(`  read + group + verify (end to end)     ${ms(nnEnd)}`);
const llama = rows.find((r) => r.label.startsWith('llama'));
const llamaVerdict = llama.endToEnd < 100 ? 'meets' : 'MISSES';
console.log(
  `\ntarget: load, group and verify the Llama-2-7B structure under 100 ms: ${ms(llama.endToEnd)} (${llamaVerdict} it)`
);
const synthetic = rows.find((r) => r.label === 'synthetic');
const verdict = synthetic.both < 50 ? 'meets' : 'MISSES';
console.log(`\ntarget: build and verify groups for 10,000 tensors under 50 ms: ${ms(synthetic.both)} (${verdict} it)`);
