#!/usr/bin/env node
/**
 * Runs the decay-group ablation grid (derivation row D13) on the 8×8 digits and writes
 *   results/ablation/full-grid.json  every run's accuracies and config; traces of seed 1
 *   results/ablation/summary.json    test accuracy mean ± std per optimizer × λ × arm
 *   results/ablation/figures.json    the Plotly figures the notebook shows
 * Usage (from the repository root, after `make lab` or `scripts/setup.sh` built the packages):
 *   node tools/ablation/run-full-grid.js [--quick] [--out results/ablation]
 * --quick runs the notebook's reduced grid instead (about a minute). PARAMSCOPE_BACKEND forces a backend.
 */
'use strict';
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..', '..');

function parseArgs(argv) {
  const args = { quick: false, out: path.join(ROOT, 'results', 'ablation') };
  for (let i = 0; i < argv.length; i++) {
    if (argv[i] === '--quick') args.quick = true;
    else if (argv[i] === '--out' && argv[i + 1]) args.out = path.resolve(argv[++i]);
    else throw new Error(`run-full-grid: unknown argument '${argv[i]}' (expected --quick, --out <dir>)`);
  }
  return args;
}

function requirePackage(name) {
  try {
    return require(name);
  } catch (error) {
    throw new Error(`run-full-grid: cannot load ${name} (${error.message}); build the packages first: "make lab" or "npx tsc -b packages/notebook"`);
  }
}

async function main() {
  const args = parseArgs(process.argv.slice(2));
  const core = requirePackage('@paramscope/core');
  const notebook = requirePackage('@paramscope/notebook');
  const backend = await notebook.useBestBackend();
  console.log(notebook.describeBackend(backend));
  const data = notebook.loadDigits({ from: ROOT });
  console.log(`data: ${data.path} (${data.train.labels.length} train, ${data.test.labels.length} test images)`);
  const grid = args.quick ? core.QUICK_ABLATION_GRID : core.FULL_ABLATION_GRID;
  const total = core.expandGrid(grid).length;
  const started = Date.now();
  const results = await core.runAblation(data, grid, {
    backend: backend.backend,
    onRun: (index, count, run) => {
      const elapsed = (Date.now() - started) / 1000;
      const eta = (elapsed / (index + 1)) * (count - index - 1);
      const c = run.config;
      console.log(
        `[${index + 1}/${total}] ${c.optimizer.kind} λ=${c.weightDecay} seed ${c.seed} ${c.arm}: test ${(100 * run.testAccuracy).toFixed(1)} % ` +
          `(${run.seconds.toFixed(1)} s; elapsed ${elapsed.toFixed(0)} s, about ${eta.toFixed(0)} s left)`
      );
    }
  });
  const summary = core.summarizeAccuracy(results.runs);
  const traceSeed = grid.seeds[0];
  const figures = {};
  for (const { setting, weightDecays } of grid.optimizers) {
    const kind = setting.kind;
    figures[`accuracy-${kind}`] = notebook.accuracyFigure(results.runs, kind);
    const weightDecay = weightDecays[weightDecays.length - 1];
    for (const metric of ['weightNorm', 'effectiveLr']) {
      figures[`bn-fed-${metric}-${kind}`] = notebook.roleTraceFigure(results.runs, { optimizer: kind, weightDecay, seed: traceSeed, role: 'bn-fed-weight', metric, logLog: metric === 'effectiveLr' });
    }
  }
  const name = args.quick ? 'quick-grid' : 'full-grid';
  notebook.writeJsonFile(path.join(args.out, `${name}.json`), core.compactResults(results, traceSeed));
  notebook.writeJsonFile(path.join(args.out, args.quick ? 'quick-summary.json' : 'summary.json'), { backend: results.backend, seconds: results.seconds, grid, summary });
  if (!args.quick) notebook.writeJsonFile(path.join(args.out, 'figures.json'), figures);
  console.log(`\n${notebook.accuracyTableText(summary)}\n`);
  console.log(`${total} runs in ${results.seconds.toFixed(0)} s on ${results.backend}; results in ${args.out}`);
}

main().catch((error) => {
  console.error(error.message);
  process.exit(1);
});
