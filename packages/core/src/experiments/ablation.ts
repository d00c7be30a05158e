/**
 * The decay-group ablation grid (derivation row D13): arms × optimizers × λ values × seeds, run
 * one after another, and the summary the notebook shows (test accuracy mean ± spread per arm).
 */
import type { ImageDataset } from './dataset';
import { DECAY_ARMS, type DecayArm } from './decay-arms';
import { trainDecayArm, type DecayRunConfig, type DecayRunResult, type OptimizerSetting } from './train-decay-arm';

/** One optimizer of the grid with the λ values it is run at. */
export interface GridOptimizer {
  setting: OptimizerSetting;
  weightDecays: number[];
}

/** The grid: every arm × optimizer × λ × seed, with the shared training settings. */
export interface AblationGrid {
  arms: DecayArm[];
  optimizers: GridOptimizer[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  channels: number[];
  recordEvery: number;
}

/** The runs of a grid, with where and how long. */
export interface AblationResults {
  grid: AblationGrid;
  runs: DecayRunResult[];
  /** The TF.js backend the runs used. */
  backend: string;
  seconds: number;
}

/** Mean ± spread of the test accuracy of one cell of the grid. */
export interface AccuracySummary {
  optimizer: OptimizerSetting['kind'];
  /** λ, or `null` for the row that pools every λ of the optimizer. */
  weightDecay: number | null;
  arm: DecayArm;
  runs: number;
  mean: number;
  /** Sample standard deviation across the runs (0 for one run). */
  std: number;
  min: number;
  max: number;
}

/** The configurations of a grid, in the order they run (optimizer, λ, seed, arm: arms of one seed run side by side). */
export function expandGrid(grid: AblationGrid): DecayRunConfig[] {
  if (!Array.isArray(grid.arms) || grid.arms.length === 0) throw new RangeError('ablation grid: arms is empty');
  const unknown = grid.arms.find((arm) => !DECAY_ARMS.includes(arm));
  if (unknown) throw new RangeError(`ablation grid: unknown arm '${unknown}' (expected ${DECAY_ARMS.join(', ')})`);
  if (!Array.isArray(grid.seeds) || grid.seeds.length === 0) throw new RangeError('ablation grid: seeds is empty');
  if (!Array.isArray(grid.optimizers) || grid.optimizers.length === 0) throw new RangeError('ablation grid: optimizers is empty');
  const configs: DecayRunConfig[] = [];
  grid.optimizers.forEach((entry, i) => {
    if (!Array.isArray(entry.weightDecays) || entry.weightDecays.length === 0) {
      throw new RangeError(`ablation grid: optimizers[${i}] (${entry.setting?.kind}) has no weightDecays`);
    }
    for (const weightDecay of entry.weightDecays) {
      for (const seed of grid.seeds) {
        for (const arm of grid.arms) {
          const { epochs, batchSize, channels, recordEvery } = grid;
          configs.push({ arm, weightDecay, optimizer: entry.setting, seed, epochs, batchSize, channels, recordEvery });
        }
      }
    }
  });
  return configs;
}

/** Called after each run with its index (0-based), the number of runs and the result. */
export type RunCallback = (index: number, total: number, result: DecayRunResult) => void;

/** Runs every configuration of `grid` on `dataset`, one after another. */
export async function runAblation(
  dataset: ImageDataset,
  grid: AblationGrid,
  callbacks: { onRun?: RunCallback; onStep?: (run: number, done: number, total: number) => void; backend?: string } = {}
): Promise<AblationResults> {
  const configs = expandGrid(grid);
  const started = Date.now();
  const runs: DecayRunResult[] = [];
  for (const [index, config] of configs.entries()) {
    const result = await trainDecayArm(dataset, config, (done, total) => callbacks.onStep?.(index, done, total));
    runs.push(result);
    callbacks.onRun?.(index, configs.length, result);
  }
  return { grid, runs, backend: callbacks.backend ?? 'unknown', seconds: (Date.now() - started) / 1000 };
}

function stats(values: number[]): Pick<AccuracySummary, 'runs' | 'mean' | 'std' | 'min' | 'max'> {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const variance = values.length > 1 ? values.reduce((a, v) => a + (v - mean) ** 2, 0) / (values.length - 1) : 0;
  return { runs: values.length, mean, std: Math.sqrt(variance), min: Math.min(...values), max: Math.max(...values) };
}

/**
 * Test accuracy per optimizer × λ × arm (across seeds), then per optimizer × arm pooling every λ
 * (`weightDecay: null`), in grid order.
 */
export function summarizeAccuracy(runs: readonly DecayRunResult[]): AccuracySummary[] {
  if (runs.length === 0) throw new RangeError('summarizeAccuracy: no runs');
  const cells = new Map<string, { optimizer: OptimizerSetting['kind']; weightDecay: number | null; arm: DecayArm; values: number[] }>();
  const add = (optimizer: OptimizerSetting['kind'], weightDecay: number | null, arm: DecayArm, value: number) => {
    const key = `${optimizer}|${weightDecay}|${arm}`;
    const cell = cells.get(key) ?? { optimizer, weightDecay, arm, values: [] };
    cell.values.push(value);
    cells.set(key, cell);
  };
  for (const run of runs) add(run.config.optimizer.kind, run.config.weightDecay, run.config.arm, run.testAccuracy);
  for (const run of runs) add(run.config.optimizer.kind, null, run.config.arm, run.testAccuracy);
  return [...cells.values()].map(({ values, ...cell }) => ({ ...cell, ...stats(values) }));
}

/** The runs matching every given field of the configuration. */
export function selectRuns(runs: readonly DecayRunResult[], where: Partial<Pick<DecayRunConfig, 'arm' | 'weightDecay' | 'seed'>> & { optimizer?: OptimizerSetting['kind'] }): DecayRunResult[] {
  return runs.filter(
    (run) =>
      (where.arm === undefined || run.config.arm === where.arm) &&
      (where.weightDecay === undefined || run.config.weightDecay === where.weightDecay) &&
      (where.seed === undefined || run.config.seed === where.seed) &&
      (where.optimizer === undefined || run.config.optimizer.kind === where.optimizer)
  );
}

/**
 * A copy of `results` small enough to commit: numbers rounded to `digits` significant digits and
 * traces kept only for the runs of `traceSeed` (other runs keep their accuracies).
 */
export function compactResults(results: AblationResults, traceSeed: number, digits = 4): AblationResults {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(digits)) : v);
  const runs = results.runs.map((run) => {
    const keep = run.config.seed === traceSeed;
    const roles: DecayRunResult['roles'] = {};
    if (keep) {
      for (const [role, trace] of Object.entries(run.roles)) {
        roles[role as keyof typeof roles] = {
          weightNorm: trace.weightNorm.map(round),
          effectiveLr: trace.effectiveLr.map(round),
          angularStep: trace.angularStep.map(round)
        };
      }
    }
    return {
      ...run,
      testAccuracy: round(run.testAccuracy),
      trainAccuracy: round(run.trainAccuracy),
      steps: keep ? run.steps : [],
      loss: keep ? run.loss.map(round) : [],
      roles,
      seconds: round(run.seconds)
    };
  });
  return { ...results, runs, seconds: round(results.seconds) };
}
