/**
 * The decay-group ablation grid (derivation row D13): arms × optimizers × schedules × λ values ×
 * seeds, run one after another, and helpers to select its runs and make them small enough to commit.
 */
import type { ImageDataset } from './dataset';
import { DECAY_ARMS, type DecayArm } from './decay-arms';
import {
  LR_SCHEDULES,
  trainDecayArm,
  type DecayRunConfig,
  type DecayRunResult,
  type LrSchedule,
  type OptimizerKind,
  type OptimizerSetting
} from './train-decay-arm';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** One optimizer of the grid with the λ values (> 0) it is run at. */
export interface GridOptimizer {
  setting: OptimizerSetting;
  weightDecays: number[];
}

/** The grid: every arm × optimizer × schedule × λ × seed, with the shared training settings. */
export interface AblationGrid {
  arms: DecayArm[];
  optimizers: GridOptimizer[];
  schedules: LrSchedule[];
  seeds: number[];
  epochs: number;
  batchSize: number;
  channels: number[];
  recordEvery: number;
}

/** Where, when and with what a results file was made (see `@paramscope/notebook`'s `provenance`). */
export interface ResultsProvenance {
  /** `git rev-parse HEAD` when the runs started. */
  commit: string;
  /** Whether the working tree had uncommitted changes (`git status --porcelain` not empty). */
  dirty: boolean;
  /** The command line that wrote the file. */
  command: string;
  /** The TF.js backend the runs used, e.g. `tensorflow` (tfjs-node) or `wasm`. */
  backend: string;
  /** Versions: `tfjs`, `node`, and the backend package's where it has one (`tfjs-node`, `tfjs-backend-wasm`). */
  versions: Record<string, string>;
  /** ISO date of the start. */
  started: string;
}

/** The runs of a grid, with where and how long. */
export interface AblationResults {
  grid: AblationGrid;
  runs: DecayRunResult[];
  /** The TF.js backend the runs used. */
  backend: string;
  seconds: number;
  provenance?: ResultsProvenance;
}

function checkGrid(grid: AblationGrid): void {
  if (!Array.isArray(grid.arms) || grid.arms.length === 0) throw new ScienceError('ablation grid: arms is empty');
  const unknown = grid.arms.find((arm) => !DECAY_ARMS.includes(arm));
  if (unknown) throw new ScienceError(`ablation grid: unknown arm '${unknown}' (expected ${DECAY_ARMS.join(', ')})`);
  if (!Array.isArray(grid.seeds) || grid.seeds.length === 0) throw new ScienceError('ablation grid: seeds is empty');
  if (!Array.isArray(grid.schedules) || grid.schedules.length === 0) {
    throw new ScienceError('ablation grid: schedules is empty');
  }
  const schedule = grid.schedules.find((s) => !LR_SCHEDULES.includes(s));
  if (schedule) {
    throw new ScienceError(`ablation grid: unknown schedule '${schedule}' (expected ${LR_SCHEDULES.join(', ')})`);
  }
  if (!Array.isArray(grid.optimizers) || grid.optimizers.length === 0) {
    throw new ScienceError('ablation grid: optimizers is empty');
  }
  grid.optimizers.forEach((entry, i) => {
    if (!Array.isArray(entry.weightDecays) || entry.weightDecays.length === 0) {
      throw new ScienceError(`ablation grid: optimizers[${i}] (${entry.setting?.kind}) has no weightDecays`);
    }
    const bad = entry.weightDecays.find((l) => !(l > 0) || !Number.isFinite(l));
    if (bad !== undefined) {
      throw new ScienceError(`ablation grid: optimizers[${i}] λ must be finite and > 0, got ${describeValue(bad)}`);
    }
  });
}

/**
 * The configurations of a grid, in the order they run: optimizer, schedule, seed, then the arms of
 * that seed side by side per λ. "No decay at all" does not depend on λ, so it runs once per
 * optimizer × schedule × seed, with λ = 0, and serves as the baseline of every λ.
 */
export function expandGrid(grid: AblationGrid): DecayRunConfig[] {
  checkGrid(grid);
  const { epochs, batchSize, channels, recordEvery } = grid;
  const configs: DecayRunConfig[] = [];
  for (const { setting: optimizer, weightDecays } of grid.optimizers) {
    for (const schedule of grid.schedules) {
      for (const seed of grid.seeds) {
        const shared = { optimizer, schedule, seed, epochs, batchSize, channels, recordEvery };
        if (grid.arms.includes('no-decay')) configs.push({ arm: 'no-decay', weightDecay: 0, ...shared });
        for (const weightDecay of weightDecays) {
          for (const arm of grid.arms) if (arm !== 'no-decay') configs.push({ arm, weightDecay, ...shared });
        }
      }
    }
  }
  return configs;
}

/** Called after each run with its index (0-based), the number of runs and the result. */
export type RunCallback = (index: number, total: number, result: DecayRunResult) => void;

/** Runs `configs` (by default every configuration of `grid`) on `dataset`, one after another. */
export async function runAblation(
  dataset: ImageDataset,
  grid: AblationGrid,
  callbacks: {
    onRun?: RunCallback;
    onStep?: (run: number, done: number, total: number) => void;
    backend?: string;
    configs?: DecayRunConfig[];
  } = {}
): Promise<AblationResults> {
  const configs = callbacks.configs ?? expandGrid(grid);
  const started = Date.now();
  const runs: DecayRunResult[] = [];
  for (const [index, config] of configs.entries()) {
    const result = await trainDecayArm(dataset, config, (done, total) => callbacks.onStep?.(index, done, total));
    runs.push(result);
    callbacks.onRun?.(index, configs.length, result);
  }
  return { grid, runs, backend: callbacks.backend ?? 'unknown', seconds: (Date.now() - started) / 1000 };
}

/** Fields to select runs by. */
export interface RunFilter {
  arm?: DecayArm;
  weightDecay?: number;
  seed?: number;
  optimizer?: OptimizerKind;
  schedule?: LrSchedule;
}

/** The runs matching every given field. */
export function selectRuns(runs: readonly DecayRunResult[], where: RunFilter): DecayRunResult[] {
  return runs.filter(
    (run) =>
      (where.arm === undefined || run.config.arm === where.arm) &&
      (where.weightDecay === undefined || run.config.weightDecay === where.weightDecay) &&
      (where.seed === undefined || run.config.seed === where.seed) &&
      (where.optimizer === undefined || run.config.optimizer.kind === where.optimizer) &&
      (where.schedule === undefined || run.config.schedule === where.schedule)
  );
}

/**
 * A copy of `results` small enough to commit: numbers rounded to `digits` significant digits; the
 * BN-fed weights' traces kept for every run (so claims about every run can be checked), the other
 * roles' traces and the loss only for the runs of `traceSeed`.
 */
export function compactResults(results: AblationResults, traceSeed: number, digits = 4): AblationResults {
  const round = (v: number) => (Number.isFinite(v) ? Number(v.toPrecision(digits)) : v);
  const runs = results.runs.map((run) => {
    const keepAll = run.config.seed === traceSeed;
    const roles: DecayRunResult['roles'] = {};
    for (const [role, trace] of Object.entries(run.roles)) {
      if (!keepAll && role !== 'bn-fed-weight') continue;
      roles[role as keyof typeof roles] = {
        weightNorm: trace.weightNorm.map(round),
        effectiveLr: trace.effectiveLr.map(round),
        angularStep: trace.angularStep.map(round)
      };
    }
    const accuracy = (a: DecayRunResult['testAccuracy']) => ({
      stale: round(a.stale),
      recalibrated: round(a.recalibrated)
    });
    return {
      ...run,
      testAccuracy: accuracy(run.testAccuracy),
      trainAccuracy: accuracy(run.trainAccuracy),
      loss: keepAll ? run.loss.map(round) : [],
      roles,
      seconds: round(run.seconds)
    };
  });
  return { ...results, runs, seconds: round(results.seconds) };
}
