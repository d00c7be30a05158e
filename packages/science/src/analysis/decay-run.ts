/**
 * One training run of a BN MLP with plain SGD and weight decay on a chosen set of parameters,
 * recording what derivations D6, D16 and D17 look at: the norm and mean |value| of parameter sets
 * over time, the radial part of the gradient at every step, and the terms of the norm balance
 * ({@link sgdNormBalance}) over the last part of the run.
 */
import { CosineAnnealingLR, SGD, nn } from '@paramscope/core';
import { sgdNormBalance, type NormBalance, type NormBalanceSample } from './norm-balance';
import type { TeacherDataset } from './teacher-data';
import { decayedAndRest, meanGradients, trainClassifier } from './training';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

const { bnMlp, manualSeed } = nn;

/** Options of {@link runDecayExperiment}. */
export interface DecayExperimentOptions {
  data: TeacherDataset;
  /** Widths of `nn.bnMlp` (default [20, 32, 32, 5]). */
  widths?: readonly number[];
  /** Seed of the model's initialisation. */
  seed: number;
  /** Names of the parameters that get weight decay (PyTorch convention: ∇ + λθ). */
  decayed: readonly string[];
  lr: number;
  weightDecay: number;
  steps: number;
  batchSize: number;
  /** 'constant' η, or 'cosine' annealing from η to 0 over the run (PyTorch's CosineAnnealingLR). */
  schedule?: 'constant' | 'cosine';
  /** Parameter sets to follow, by label: a set's norm runs over all its tensors (e.g. γ₁ with β₁). */
  tracked: Readonly<Record<string, readonly string[]>>;
  /** Record the traces every this many steps (default: 100 points over the run). */
  recordEvery?: number;
  /** Fraction of the run, at its end, over which the norm balance is averaged (default 0.25). */
  balanceWindow?: number;
  /** Called at each recorded step. */
  onRecord?: (step: number, loss: number) => void;
}

/** The traces and end-of-run measurements of one run. */
export interface DecayExperimentResult {
  /** Recorded steps. */
  steps: number[];
  /** Batch loss at the recorded steps. */
  losses: number[];
  /** Learning rate at the recorded steps. */
  lrs: number[];
  /** Per tracked set, at the recorded steps: ‖θ‖. */
  norms: Record<string, number[]>;
  /** Per tracked set, at the recorded steps: mean |θ| over its entries. */
  meanAbs: Record<string, number[]>;
  /**
   * Per tracked set, at the recorded steps: ⟨θ_t, g_t⟩/(λ‖θ_t‖²), the radial gradient relative to
   * decay's pull (without decay on the set: the cosine of θ_t and g_t).
   */
  radialRatios: Record<string, number[]>;
  /** Per tracked set: max over every step of |⟨θ_t, g_t⟩|/(λ‖θ_t‖²). */
  maxRadialRatio: Record<string, number>;
  /** Per decayed tracked set, constant η only: the norm balance over the last `balanceWindow` of the run. */
  balance: Record<string, NormBalance>;
  /** Mean batch loss over the last 5 % of the run. */
  finalLoss: number;
  /** Every parameter's values at the end (flattened). */
  finalValues: Record<string, number[]>;
  /** E[∂L/∂θ] over one pass of the data at the end, for every parameter of a tracked set. */
  meanGradients: Record<string, number[]>;
}

function flatSquaredNorm(values: readonly Float32Array[]): number {
  let sum = 0;
  for (const v of values) for (let i = 0; i < v.length; i++) sum += v[i] * v[i];
  return sum;
}

function flatInner(a: readonly Float32Array[], b: readonly Float32Array[]): number {
  let sum = 0;
  a.forEach((v, k) => {
    for (let i = 0; i < v.length; i++) sum += v[i] * b[k][i];
  });
  return sum;
}

/**
 * Trains a seeded `nn.bnMlp` as described by `options` and returns what it recorded; frees every
 * tensor it makes.
 */
export function runDecayExperiment(options: DecayExperimentOptions): DecayExperimentResult {
  const { data, widths = [20, 32, 32, 5], seed, decayed, lr, weightDecay, steps, batchSize, tracked } = options;
  const schedule = options.schedule ?? 'constant';
  const recordEvery = options.recordEvery ?? Math.max(1, Math.floor(steps / 100));
  const balanceWindow = options.balanceWindow ?? 0.25;
  if (!(balanceWindow > 0 && balanceWindow <= 1)) {
    throw new ScienceError(`runDecayExperiment: balanceWindow must be in (0, 1], got ${describeValue(balanceWindow)}`);
  }
  manualSeed(seed);
  const model = bnMlp(widths);
  const byName = new Map(model.namedParameters());
  for (const name of [...decayed, ...Object.values(tracked).flat()]) {
    if (!byName.has(name)) throw new ScienceError(`runDecayExperiment: the model has no parameter "${name}"`);
  }
  const groups = decayedAndRest(byName, decayed, weightDecay);
  const optimizer = new SGD(groups, { lr });
  const scheduler = schedule === 'cosine' ? new CosineAnnealingLR(optimizer, { tMax: steps }) : undefined;
  const labels = Object.keys(tracked);
  const result: DecayExperimentResult = {
    steps: [],
    losses: [],
    lrs: [],
    norms: {},
    meanAbs: {},
    radialRatios: {},
    maxRadialRatio: {},
    balance: {},
    finalLoss: Number.NaN,
    finalValues: {},
    meanGradients: {}
  };
  const samples: Record<string, NormBalanceSample[]> = {};
  for (const label of labels) {
    result.norms[label] = [];
    result.meanAbs[label] = [];
    result.radialRatios[label] = [];
    result.maxRadialRatio[label] = 0;
    samples[label] = [];
  }
  // The radial ratio is relative to decay's pull, which needs λ > 0 on the set; without decay, to ‖θ‖·‖g‖.
  const setDecay = (label: string) => (tracked[label].every((name) => decayed.includes(name)) ? weightDecay : 0);
  const windowStart = Math.floor(steps * (1 - balanceWindow));
  let before: Record<string, Float32Array[]> = {};
  const losses = trainClassifier({
    model,
    optimizer,
    data,
    steps,
    batchSize,
    beforeStep: () => {
      const copy = (name: string) => byName.get(name)!.dataSync().slice() as Float32Array;
      before = Object.fromEntries(labels.map((label) => [label, tracked[label].map(copy)]));
    },
    afterStep: (t, loss, grads) => {
      const record = t % recordEvery === 0 || t === steps - 1;
      for (const label of labels) {
        const theta = before[label];
        const g = tracked[label].map((name) => grads[name].dataSync() as Float32Array);
        const squaredNorm = flatSquaredNorm(theta);
        const radial = flatInner(theta, g);
        const gradientSquaredNorm = flatSquaredNorm(g);
        const lambda = setDecay(label);
        const ratio =
          lambda > 0 ? radial / (lambda * squaredNorm) : radial / Math.sqrt(squaredNorm * gradientSquaredNorm);
        result.maxRadialRatio[label] = Math.max(result.maxRadialRatio[label], Math.abs(ratio));
        if (t >= windowStart) samples[label].push({ squaredNorm, radial, gradientSquaredNorm });
        if (record) {
          const entries = theta.reduce((n, v) => n + v.length, 0);
          result.norms[label].push(Math.sqrt(squaredNorm));
          const sumAbs = theta.reduce((s, v) => s + v.reduce((a, x) => a + Math.abs(x), 0), 0);
          result.meanAbs[label].push(sumAbs / entries);
          result.radialRatios[label].push(ratio);
        }
      }
      if (record) {
        result.steps.push(t);
        result.losses.push(loss);
        result.lrs.push(optimizer.paramGroups[0].lr);
        options.onRecord?.(t, loss);
      }
      scheduler?.step();
    }
  });
  for (const label of labels) {
    if (setDecay(label) > 0 && schedule === 'constant') {
      result.balance[label] = sgdNormBalance(samples[label], lr, weightDecay);
    }
  }
  const tail = losses.slice(-Math.max(1, Math.floor(steps / 20)));
  result.finalLoss = tail.reduce((a, b) => a + b) / tail.length;
  for (const [name, variable] of byName) result.finalValues[name] = Array.from(variable.dataSync());
  const trackedNames = [...new Set(Object.values(tracked).flat())];
  result.meanGradients = meanGradients(model, data, batchSize, trackedNames);
  model.dispose();
  optimizer.dispose();
  return result;
}
