/**
 * Plotly figures and tables of the decay-group ablation: test accuracy per arm (every seed a
 * point), and per-role traces of the weight norm and the effective learning rate.
 */
import {
  DECAY_ARM_LABELS,
  DECAY_ARMS,
  PARAM_ROLE_LABELS,
  selectRuns,
  type AccuracySummary,
  type DecayArm,
  type DecayRunResult,
  type ParamRole
} from '@paramscope/core';
import type { PlotlyFigure } from '../plotly';
import { displayBundle } from '../display';

const ARM_COLORS: Record<DecayArm, string> = {
  'decay-all': '#cf222e',
  'no-decay-norm-bias': '#1a7f37',
  'no-decay-bn-fed': '#0969da',
  'no-decay': '#8250df'
};

const OPTIMIZER_LABELS: Record<string, string> = { sgd: 'SGD-momentum', adamw: 'AdamW' };

function armsIn(runs: readonly DecayRunResult[]): DecayArm[] {
  return DECAY_ARMS.filter((arm) => runs.some((run) => run.config.arm === arm));
}

/** Test accuracy of every run of one optimizer: a box per arm and λ, each seed a point. */
export function accuracyFigure(runs: readonly DecayRunResult[], optimizer: 'sgd' | 'adamw'): PlotlyFigure {
  const mine = selectRuns(runs, { optimizer });
  if (mine.length === 0) throw new RangeError(`accuracyFigure: no runs with optimizer '${optimizer}'`);
  const data = armsIn(mine).map((arm) => {
    const armRuns = selectRuns(mine, { arm });
    return {
      type: 'box',
      name: DECAY_ARM_LABELS[arm],
      x: armRuns.map((run) => `λ = ${run.config.weightDecay}`),
      y: armRuns.map((run) => 100 * run.testAccuracy),
      boxpoints: 'all',
      jitter: 0.3,
      pointpos: 0,
      marker: { color: ARM_COLORS[arm] }
    };
  });
  return {
    data,
    layout: {
      title: { text: `Test accuracy per arm, ${OPTIMIZER_LABELS[optimizer] ?? optimizer} (each point a seed)` },
      boxmode: 'group',
      xaxis: { title: { text: 'weight decay of the decay group' } },
      yaxis: { title: { text: 'test accuracy (%)' } }
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
 * One line per arm: a role's trace over the steps, for one optimizer, λ and seed. `logLog` puts
 * both axes on log scales (a power law is a straight line; step 0 is not drawn).
 */
export function roleTraceFigure(
  runs: readonly DecayRunResult[],
  where: { optimizer: 'sgd' | 'adamw'; weightDecay: number; seed: number; role: ParamRole; metric: TraceMetric; logLog?: boolean }
): PlotlyFigure {
  const chosen = selectRuns(runs, where).filter((run) => run.roles[where.role] && run.steps.length > 0);
  if (chosen.length === 0) {
    throw new RangeError(`roleTraceFigure: no traced runs for ${where.optimizer}, λ = ${where.weightDecay}, seed ${where.seed}, role ${where.role}`);
  }
  const data = chosen.map((run) => ({
    type: 'scatter',
    mode: 'lines',
    name: DECAY_ARM_LABELS[run.config.arm],
    x: run.steps,
    y: run.roles[where.role]![where.metric],
    line: { color: ARM_COLORS[run.config.arm] }
  }));
  return {
    data,
    layout: {
      title: { text: `${PARAM_ROLE_LABELS[where.role]}: ${METRIC_LABELS[where.metric]} — ${OPTIMIZER_LABELS[where.optimizer]}, λ = ${where.weightDecay}` },
      xaxis: { title: { text: 'step' }, ...(where.logLog ? { type: 'log' } : {}) },
      yaxis: { title: { text: METRIC_LABELS[where.metric] }, ...(where.logLog ? { type: 'log', exponentformat: 'power' } : {}) }
    }
  };
}

function percent(value: number): string {
  return (100 * value).toFixed(1);
}

/** The accuracy table as text: one line per optimizer × arm, a column per λ and one pooling all λ. */
export function accuracyTableText(summary: readonly AccuracySummary[]): string {
  const lines: string[] = [];
  for (const optimizer of [...new Set(summary.map((row) => row.optimizer))]) {
    const rows = summary.filter((row) => row.optimizer === optimizer);
    const lambdas = [...new Set(rows.map((row) => row.weightDecay).filter((v): v is number => v !== null))];
    lines.push(`${OPTIMIZER_LABELS[optimizer] ?? optimizer} | ${lambdas.map((l) => `λ = ${l}`).join(' | ')} | all λ`);
    for (const arm of DECAY_ARMS) {
      const cells = [...lambdas, null].map((l) => rows.find((row) => row.arm === arm && row.weightDecay === l));
      if (cells.every((cell) => !cell)) continue;
      lines.push(
        `${DECAY_ARM_LABELS[arm]} | ${cells.map((c) => (c ? `${percent(c.mean)} ± ${percent(c.std)} (n=${c.runs})` : '—')).join(' | ')}`
      );
    }
  }
  return lines.join('\n');
}

/** Shows the accuracy table (mean ± sample std over seeds, in %) as HTML with a text fallback. */
export function accuracyTable(summary: readonly AccuracySummary[]): void {
  if (summary.length === 0) throw new RangeError('accuracyTable: empty summary');
  const text = accuracyTableText(summary);
  const html = text
    .split('\n')
    .map((line) => {
      const cells = line.split(' | ');
      const header = cells[0] in { 'SGD-momentum': 1, AdamW: 1 } || cells[1]?.startsWith('λ');
      const tag = header ? 'th' : 'td';
      return `<tr>${cells.map((cell) => `<${tag} style="text-align:left">${cell}</${tag}>`).join('')}</tr>`;
    })
    .join('');
  displayBundle({ 'text/html': `<table>${html}</table><p>test accuracy in %, mean ± sample standard deviation across seeds</p>`, 'text/plain': text });
}
