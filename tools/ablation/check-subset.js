#!/usr/bin/env node
/**
 * CI's guard on the committed ablation numbers: re-runs the runs of results/ablation/check-subset.json
 * on the backend that file was computed on (wasm) and fails when any number differs by more than
 * RTOL; checks that the subset was computed by the same commit as results/ablation/full-grid.json
 * and that each of its configurations is a run of the full grid, whose recalibrated accuracies
 * (made on tfjs-node) must agree within CROSS_BACKEND_TOLERANCE.
 * Usage: node tools/ablation/check-subset.js [--results results/ablation]
 */
'use strict';
const path = require('node:path');
const fs = require('node:fs');

const ROOT = path.resolve(__dirname, '..', '..');
/**
 * wasm arithmetic is deterministic (IEEE float32, no fast-math, one thread in Node): two runs of the
 * subset gave bitwise-identical numbers. Any change in the computation flips a rounding somewhere and
 * training amplifies it to whole percentage points within 420 steps, so the only meaningful tolerance
 * is "the same numbers"; 1e-6 only absorbs printing, never a real change.
 */
const RTOL = 1e-6;
/**
 * wasm against tfjs-node on the same 27 runs (results/ablation/cross-backend.json): recalibrated
 * accuracies differ by at most 0.44 pp (mean 0.13 pp), stale ones by up to 13 pp. So only the
 * recalibrated accuracies are compared across backends, within 1 pp (4.5 test images).
 */
const CROSS_BACKEND_TOLERANCE = 0.01;

function load(file) {
  if (!fs.existsSync(file))
    throw new Error(
      `check-subset: ${file} is missing; run tools/ablation/run-full-grid.js (see tools/ablation/README.md)`
    );
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

async function main() {
  const argv = process.argv.slice(2);
  const dir = argv[0] === '--results' && argv[1] ? path.resolve(argv[1]) : path.join(ROOT, 'results', 'ablation');
  const science = require('@paramscope/science');
  const notebook = require('@paramscope/notebook');
  const subset = load(path.join(dir, 'check-subset.json'));
  const full = load(path.join(dir, 'full-grid.json'));
  const problems = [];
  if (subset.provenance?.commit !== full.provenance?.commit) {
    problems.push(
      `check-subset.json was computed at ${subset.provenance?.commit}, ` +
        `full-grid.json at ${full.provenance?.commit}: regenerate both at one commit`
    );
  }
  const wanted = subset.provenance?.backend;
  process.env.PARAMSCOPE_BACKEND = { wasm: 'wasm', tensorflow: 'tfjs-node', cpu: 'cpu' }[wanted] ?? wanted;
  const backend = await notebook.useBestBackend();
  if (backend.tfBackend !== wanted) {
    throw new Error(
      `check-subset: the subset was computed on ${wanted}, but PARAMSCOPE_BACKEND=${process.env.PARAMSCOPE_BACKEND} ` +
        `activated ${backend.tfBackend} (${notebook.describeBackend(backend)})`
    );
  }
  const data = notebook.loadDigits({ from: ROOT });
  const configs = subset.runs.map((run) => run.config);
  const rerun = await science.runAblation(data, subset.grid, { configs, backend: backend.backend });
  for (const m of science.reproductionMismatches(subset.runs, rerun.runs, RTOL)) {
    problems.push(`${m.run}: ${m.field} committed ${m.expected}, re-run ${m.actual}`);
  }
  for (const run of rerun.runs) {
    const name = science.describeConfig(run.config);
    const inGrid = science.findRun(full.runs, run.config);
    if (!inGrid) {
      problems.push(`${name}: not a run of full-grid.json`);
      continue;
    }
    const pp = (a, b) => (100 * (a - b)).toFixed(2);
    const recalibratedGap = pp(run.testAccuracy.recalibrated, inGrid.testAccuracy.recalibrated);
    const staleGap = pp(run.testAccuracy.stale, inGrid.testAccuracy.stale);
    console.log(
      `${name}: ${wanted} − ${full.provenance.backend}: test ${recalibratedGap} pp recalibrated, ${staleGap} pp stale`
    );
    for (const split of ['testAccuracy', 'trainAccuracy']) {
      const gap = Math.abs(run[split].recalibrated - inGrid[split].recalibrated);
      if (gap > CROSS_BACKEND_TOLERANCE) {
        problems.push(
          `${name}: ${split}.recalibrated ${run[split].recalibrated} on ${wanted}, ` +
            `${inGrid[split].recalibrated} in full-grid.json (> 1 pp)`
        );
      }
    }
  }
  console.log(`${rerun.runs.length} runs re-run in ${rerun.seconds.toFixed(0)} s on ${backend.tfBackend}`);
  if (problems.length > 0) {
    console.error(`check-subset: ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  console.log(`check-subset: every number reproduced (rtol ${RTOL})`);
}

main().catch((error) => {
  console.error(error.stack || error.message);
  process.exit(1);
});
