/**
 * Plotly figures of the decay-group ablation: accuracy with stale and recalibrated BN statistics
 * per arm, paired differences with their intervals (a forest plot), AdamW against Adam + L2, and
 * per-role traces of the weight norm and the effective learning rate. Titles come from the data.
 */
import {
  ACCURACY_METRIC_LABELS,
  cellRuns,
  DECAY_ARM_LABELS,
  DECAY_ARMS,
  OPTIMIZER_LABELS,
  PARAM_ROLE_LABELS,
  runAccuracy,
  selectRuns,
  type AccuracyMetric,
  type ArmComparison,
  type DecayArm,
  type DecayRunResult,
  type GridCell,
  type LrSchedule,
  type OptimizerComparison,
  type OptimizerKind,
  type ParamRole
} from '@paramscope/science';
import type { PlotlyFigure } from '../plotly';
import { NotebookError } from '../errors';

/** One colour per arm, the same in every figure. */
export const ARM_COLORS: Readonly<Record<DecayArm, string>> = {
  'decay-all': '#cf222e',
  'no-decay-norm-bias': '#1a7f37',
  'no-decay-bn-fed': '#0969da',
  'section5-recipe': '#bf8700',
  'no-decay': '#8250df'
};

/** "SGD-momentum, λ = 0.01, constant η": a cell in words. */
export function cellLabel(cell: GridCell): string {
  const schedule = cell.schedule === 'cosine' ? 'cosine η' : 'constant η';
  return `${OPTIMIZER_LABELS[cell.optimizer]}, λ = ${cell.weightDecay}, ${schedule}`;
}

/**
 * The artifact: test accuracy of every seed with stale and with recalibrated BN statistics, a pair
 * of boxes per arm, for one cell of the grid.
 */
export function staleVsRecalibratedFigure(
  runs: readonly DecayRunResult[],
  cell: GridCell,
  split: 'test' | 'train' = 'test'
): PlotlyFigure {
  const arms = DECAY_ARMS.filter((arm) => cellRuns(runs, cell, arm).length > 0);
  if (arms.length === 0) throw new NotebookError(`staleVsRecalibratedFigure: no runs for ${cellLabel(cell)}`);
  const trace = (statistics: 'stale' | 'recalibrated', color: string) => {
    const metric = `${split}${statistics === 'stale' ? 'Stale' : 'Recalibrated'}` as AccuracyMetric;
    const chosen = arms.flatMap((arm) => cellRuns(runs, cell, arm));
    return {
      type: 'box',
      name: `${statistics} BN statistics`,
      x: chosen.map((run) => DECAY_ARM_LABELS[run.config.arm]),
      y: chosen.map((run) => 100 * runAccuracy(run, metric)),
      boxpoints: 'all',
      jitter: 0.3,
      pointpos: 0,
      marker: { color }
    };
  };
  const splitLabel = split === 'test' ? 'Test' : 'Train';
  return {
    data: [trace('stale', '#999999'), trace('recalibrated', '#0969da')],
    layout: {
      title: {
        text: `${splitLabel} accuracy with stale vs recalibrated BN statistics — ${cellLabel(cell)}`
      },
      boxmode: 'group',
      xaxis: { title: { text: 'arm' } },
      yaxis: { title: { text: `${split} accuracy (%), each point a seed` } }
    }
  };
}

/**
 * A forest plot: each arm's paired difference from the baseline arm (mean and interval, in
 * percentage points) per cell of one optimizer, one trace per metric given.
 */
export function pairedDifferenceFigure(
  comparisonsByMetric: ReadonlyArray<readonly ArmComparison[]>,
  optimizer: OptimizerKind
): PlotlyFigure {
  const traces = comparisonsByMetric.map((comparisons, i) => {
    const mine = comparisons.filter((c) => c.optimizer === optimizer);
    if (mine.length === 0) throw new NotebookError(`pairedDifferenceFigure: no comparisons for ${optimizer}`);
    const metric = mine[0].metric;
    return {
      type: 'scatter',
      mode: 'markers',
      name: ACCURACY_METRIC_LABELS[metric],
      y: mine.map((c) => `${DECAY_ARM_LABELS[c.arm]} · λ ${c.weightDecay} · ${c.schedule}`),
      x: mine.map((c) => 100 * c.comparison.meanDifference),
      error_x: {
        type: 'data',
        symmetric: false,
        array: mine.map((c) => 100 * (c.comparison.ci[1] - c.comparison.meanDifference)),
        arrayminus: mine.map((c) => 100 * (c.comparison.meanDifference - c.comparison.ci[0]))
      },
      marker: { color: i === 0 ? '#0969da' : '#999999', size: 8 }
    };
  });
  const first = comparisonsByMetric[0].find((c) => c.optimizer === optimizer)!;
  const level = Math.round(100 * first.comparison.confidence);
  return {
    data: traces,
    layout: {
      title: {
        text:
          `${OPTIMIZER_LABELS[optimizer]}: paired difference from "${DECAY_ARM_LABELS[first.baseline]}" ` +
          `(${level}% t intervals, n = ${first.comparison.n} seeds)`
      },
      xaxis: { title: { text: 'accuracy difference (percentage points)' }, zeroline: true },
      yaxis: { automargin: true, autorange: 'reversed' },
      height: 120 + 22 * traces[0].y.length,
      shapes: [{ type: 'line', x0: 0, x1: 0, yref: 'paper', y0: 0, y1: 1, line: { color: '#444', dash: 'dot' } }]
    }
  };
}

/** D18: seed-to-seed spread (sample std of the metric) of optimizer a and b, per arm × λ × schedule. */
export function optimizerSpreadFigure(comparisons: readonly OptimizerComparison[]): PlotlyFigure {
  if (comparisons.length === 0) throw new NotebookError('optimizerSpreadFigure: no comparisons');
  const { a, b, metric } = comparisons[0];
  const x = comparisons.map(
    (c) => `${DECAY_ARM_LABELS[c.arm]} · λ ${c.weightDecayA} / ${c.weightDecayB} · ${c.schedule}`
  );
  const bar = (name: string, y: number[], color: string) => ({ type: 'bar', name, x, y, marker: { color } });
  return {
    data: [
      bar(
        OPTIMIZER_LABELS[a],
        comparisons.map((c) => 100 * c.spread.sdA),
        '#1a7f37'
      ),
      bar(
        OPTIMIZER_LABELS[b],
        comparisons.map((c) => 100 * c.spread.sdB),
        '#cf222e'
      )
    ],
    layout: {
      title: {
        text:
          `Seed-to-seed spread of the ${ACCURACY_METRIC_LABELS[metric]}: ` +
          `${OPTIMIZER_LABELS[a]} vs ${OPTIMIZER_LABELS[b]} (n = ${comparisons[0].spread.n})`
      },
      barmode: 'group',
      xaxis: { automargin: true },
      yaxis: { title: { text: 'sample std across seeds (percentage points)' } }
    }
  };
}

/** Which trace of a role to draw. */
export type TraceMetric = 'weightNorm' | 'effectiveLr' | 'angularStep';

const METRIC_LABELS: Record<TraceMetric, string> = {
  weightNorm: '‖W‖',
  effectiveLr: 'η/‖W‖² (mean over tensors)',
  angularStep: '‖ΔW‖/‖W‖ per step (mean over tensors)'
};

/**
 * One line per arm: a role's trace over the steps, for one optimizer, schedule, λ and seed (with
 * "no decay at all" from λ = 0). `logLog` puts both axes on log scales (step 0 is not drawn).
 */
export function roleTraceFigure(
  runs: readonly DecayRunResult[],
  where: GridCell & { seed: number; role: ParamRole; metric: TraceMetric; logLog?: boolean }
): PlotlyFigure {
  const chosen = DECAY_ARMS.flatMap((arm) => selectRuns(cellRuns(runs, where, arm), { seed: where.seed })).filter(
    (run) => run.roles[where.role] && run.steps.length > 0
  );
  if (chosen.length === 0) {
    const what = `${cellLabel(where)}, seed ${where.seed}, role ${where.role}`;
    throw new NotebookError(`roleTraceFigure: no traced runs for ${what}`);
  }
  const data = chosen.map((run) => ({
    type: 'scatter',
    mode: 'lines',
    name: DECAY_ARM_LABELS[run.config.arm],
    x: run.steps,
    y: run.roles[where.role]![where.metric],
    line: { color: ARM_COLORS[run.config.arm] }
  }));
  const metricLabel = METRIC_LABELS[where.metric];
  return {
    data,
    layout: {
      title: {
        text: `${PARAM_ROLE_LABELS[where.role]}: ${metricLabel} — ${cellLabel(where)}, seed ${where.seed}`
      },
      xaxis: { title: { text: 'step' }, ...(where.logLog ? { type: 'log' } : {}) },
      yaxis: {
        title: { text: metricLabel },
        ...(where.logLog ? { type: 'log', exponentformat: 'power' } : {})
      }
    }
  };
}

/** The schedules present in `runs`, in display order. */
export function schedulesIn(runs: readonly DecayRunResult[]): LrSchedule[] {
  return (['constant', 'cosine'] as const).filter((s) => runs.some((run) => run.config.schedule === s));
}
