#!/usr/bin/env node
/**
 * How far do two TF.js backends drift apart on the same run? Re-runs runs of the committed
 * results/ablation/full-grid.json (made on tfjs-node) on the active backend (e.g. wasm) and writes
 * the per-run differences of the accuracies to results/ablation/cross-backend.json, with provenance.
 * Usage: PARAMSCOPE_BACKEND=wasm node tools/ablation/cross-backend.js
 *   [--optimizer sgd] [--schedule constant] [--seed 1]
 */
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

function parseArgs(argv) {
  const filter = {};
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--optimizer' && value) filter.optimizer = value;
    else if (flag === '--schedule' && value) filter.schedule = value;
    else if (flag === '--seed' && value) filter.seed = Number(value);
    else
      throw new Error(
        `cross-backend: unknown argument '${flag}' (expected --optimizer <kind>, --schedule <name>, --seed <n>)`
      );
  }
  return filter;
}

async function main() {
  const filter = parseArgs(process.argv.slice(2));
  const science = require('@paramscope/science');
  const notebook = require('@paramscope/notebook');
  const full = notebook.loadAblationResults({ from: ROOT });
  if (!full)
    throw new Error(
      'cross-backend: results/ablation/full-grid.json is missing; run tools/ablation/run-full-grid.js first'
    );
  const backend = await notebook.useBestBackend();
  const script = path.relative(ROOT, process.argv[1]);
  const args = process.argv.slice(2).join(' ');
  const command = `PARAMSCOPE_BACKEND=${process.env.PARAMSCOPE_BACKEND ?? ''} node ${script} ${args}`;
  const provenance = notebook.provenance(ROOT, command.trim());
  const chosen = science.selectRuns(full.runs, filter);
  if (chosen.length === 0) throw new Error(`cross-backend: no run of the full grid matches ${JSON.stringify(filter)}`);
  console.log(`${chosen.length} runs of ${full.provenance?.backend} re-run on ${backend.tfBackend}`);
  const data = notebook.loadDigits({ from: ROOT });
  const rerun = await science.runAblation(data, full.grid, {
    configs: chosen.map((r) => r.config),
    backend: backend.backend
  });
  const metrics = ['testRecalibrated', 'testStale', 'trainRecalibrated', 'trainStale'];
  const runs = rerun.runs.map((run, i) => ({
    config: run.config,
    difference: Object.fromEntries(
      metrics.map((m) => [m, science.runAccuracy(run, m) - science.runAccuracy(chosen[i], m)])
    )
  }));
  const summary = Object.fromEntries(
    metrics.map((m) => {
      const abs = runs.map((r) => Math.abs(r.difference[m]));
      return [m, { maxAbs: Math.max(...abs), meanAbs: abs.reduce((a, b) => a + b, 0) / abs.length, n: abs.length }];
    })
  );
  for (const [m, s] of Object.entries(summary))
    console.log(
      `${m}: |${backend.tfBackend} − ${full.provenance?.backend}| max ${(100 * s.maxAbs).toFixed(2)} pp, ` +
        `mean ${(100 * s.meanAbs).toFixed(2)} pp over ${s.n} runs`
    );
  notebook.writeJsonFile(path.join(ROOT, 'results', 'ablation', 'cross-backend.json'), {
    provenance,
    against: full.provenance,
    filter,
    summary,
    runs
  });
}

main().catch((error) => {
  console.error(error.stack || error.message);
  process.exit(1);
});
