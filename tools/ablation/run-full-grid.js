#!/usr/bin/env node
/**
 * Runs the decay-group ablation (derivation rows D13, D18) on the 8×8 digits and writes, with the
 * provenance of the numbers (commit, dirty tree, command, backend, versions):
 *   results/ablation/full-grid.json     every run's configuration, accuracies (stale and recalibrated
 *                                       BN statistics), BN-fed weight traces; all traces of seed 1
 *   results/ablation/summary.json       mean ± std per cell × arm, paired comparisons, AdamW vs Adam + L2
 * Usage (from the repository root, after `make lab` or `scripts/setup.sh` built the packages):
 *   node tools/ablation/run-full-grid.js [--quick | --check-subset] [--out results/ablation]
 * --quick runs the notebook's reduced grid (quick-grid.json, quick-summary.json); --check-subset the
 * runs CI re-runs (check-subset.json, unrounded); --summary-only recomputes summary.json from the
 * committed full-grid.json (its rounded numbers) without training. PARAMSCOPE_BACKEND forces a backend.
 */
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

function parseArgs(argv) {
  const args = { mode: 'full', out: path.join(ROOT, 'results', 'ablation') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') args.mode = 'quick';
    else if (argv[i] === '--check-subset') args.mode = 'check-subset';
    else if (argv[i] === '--summary-only') args.mode = 'summary-only';
    else if (argv[i] === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else
      throw new Error(
        `run-full-grid: unknown argument '${argv[i]}' (expected --quick, --check-subset, --summary-only, --out <dir>)`
      );
  }
  return args;
}

function requirePackage(name) {
  try {
    return require(name);
  } catch (error) {
    throw new Error(
      `run-full-grid: cannot load ${name} (${error.message}); ` +
        'build the packages first: "make lab" or "npx tsc -b packages/notebook"'
    );
  }
}

function commandLine() {
  const backend = process.env.PARAMSCOPE_BACKEND ? `PARAMSCOPE_BACKEND=${process.env.PARAMSCOPE_BACKEND} ` : '';
  return `${backend}node ${path.relative(ROOT, process.argv[1])} ${process.argv.slice(2).join(' ')}`.trim();
}

function describeRun(run) {
  const c = run.config;
  const pct = (v) => (100 * v).toFixed(1);
  return (
    `${c.optimizer.kind} ${c.schedule} λ=${c.weightDecay} seed ${c.seed} ${c.arm}: ` +
    `test ${pct(run.testAccuracy.recalibrated)} % recalibrated, ${pct(run.testAccuracy.stale)} % stale`
  );
}

/** The statistics the notebook shows: per cell × arm summaries, paired comparisons, AdamW against Adam + L2. */
function summarize(science, results) {
  const compare = (metric) => science.compareArms(results.runs, { metric });
  const optimizers = results.grid.optimizers.map((o) => o.setting.kind);
  return {
    provenance: results.provenance,
    seconds: results.seconds,
    grid: results.grid,
    arms: science.summarizeArms(results.runs),
    comparisons: { testRecalibrated: compare('testRecalibrated'), testStale: compare('testStale') },
    adamwVsAdamL2:
      optimizers.includes('adamw') && optimizers.includes('adam-l2')
        ? science.compareOptimizers(results.runs, { a: 'adamw', b: 'adam-l2', metric: 'testRecalibrated' })
        : []
  };
}

function printComparisons(summary) {
  for (const row of summary.comparisons.testRecalibrated) {
    const c = row.comparison;
    console.log(
      `${row.optimizer} ${row.schedule} λ=${row.weightDecay} ${row.arm} − ${row.baseline}: ` +
        `${(100 * c.meanDifference).toFixed(2)} pp [${(100 * c.ci[0]).toFixed(2)}, ${(100 * c.ci[1]).toFixed(2)}], ` +
        `d_z ${c.effectSizeDz.toFixed(2)}, Holm p ${row.holmP.toFixed(3)}`
    );
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const science = requirePackage('@paramscope/science');
  const notebook = requirePackage('@paramscope/notebook');
  if (args.mode === 'summary-only') {
    const results = notebook.loadAblationResults({ path: path.join(args.out, 'full-grid.json') });
    if (!results) throw new Error(`run-full-grid: no ${path.join(args.out, 'full-grid.json')} to summarize`);
    delete results.path;
    const summary = summarize(science, results);
    notebook.writeJsonFile(path.join(args.out, 'summary.json'), summary);
    printComparisons(summary);
    return;
  }
  const backend = await notebook.useBestBackend();
  console.log(notebook.describeBackend(backend));
  const provenance = notebook.provenance(ROOT, commandLine());
  console.log(
    `commit ${provenance.commit}${provenance.dirty ? ' (dirty tree)' : ''}; ${JSON.stringify(provenance.versions)}`
  );
  const data = notebook.loadDigits({ from: ROOT });
  console.log(`data: ${data.path} (${data.train.labels.length} train, ${data.test.labels.length} test images)`);
  const grid = args.mode === 'quick' ? science.QUICK_ABLATION_GRID : science.FULL_ABLATION_GRID;
  const configs = args.mode === 'check-subset' ? [...science.CHECK_SUBSET_CONFIGS] : science.expandGrid(grid);
  const started = Date.now();
  const results = await science.runAblation(data, grid, {
    backend: backend.backend,
    configs,
    onRun: (index, count, run) => {
      const elapsed = (Date.now() - started) / 1000;
      const eta = (elapsed / (index + 1)) * (count - index - 1);
      console.log(
        `[${index + 1}/${count}] ${describeRun(run)} ` +
          `(${run.seconds.toFixed(1)} s; elapsed ${elapsed.toFixed(0)} s, about ${eta.toFixed(0)} s left)`
      );
    }
  });
  results.provenance = provenance;
  if (args.mode === 'check-subset') {
    notebook.writeJsonFile(path.join(args.out, 'check-subset.json'), results);
  } else {
    const prefix = args.mode === 'quick' ? 'quick-' : '';
    notebook.writeJsonFile(
      path.join(args.out, `${prefix || 'full-'}grid.json`),
      science.compactResults(results, grid.seeds[0])
    );
    const summary = summarize(science, results);
    notebook.writeJsonFile(path.join(args.out, `${prefix}summary.json`), summary);
    printComparisons(summary);
  }
  console.log(
    `${configs.length} runs in ${results.seconds.toFixed(0)} s on ${results.backend}; results in ${args.out}`
  );
}

main().catch((error) => {
  console.error(error.stack || error.message);
  process.exit(1);
});
