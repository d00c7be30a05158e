/**
 * One run of the decay-group ablation: a small BN CNN (`bnCnn`) trained on an image data set
 * with SGD-momentum, AdamW or Adam with coupled L2, the parameter groups of one arm, a constant or
 * cosine learning rate, per-role traces of the weight norm and effective learning rate read from
 * the optimizer's per-step diagnostics, and accuracies with the running BN statistics as training
 * left them ("stale") and recalibrated at the final weights ("precise BN").
 */
import * as tf from '@tensorflow/tfjs';
import {
  Adam,
  AdamW,
  CosineAnnealingLR,
  SGD,
  ensureConv2dFilterGradient,
  nn,
  paramModelFromModule,
  type Optimizer,
  type ParamStepDiagnostics
} from '@paramscope/core';
import type { ParamGroup } from '@paramscope/core';
import { splitTensors, type ImageDataset } from './dataset';
import { decayArmGroups, paramRole, PARAM_ROLES, type DecayArm, type ParamRole } from './decay-arms';
import { recalibrateBatchNorm } from './precise-bn';
import { seededUniform, shuffledIndices } from './random';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

const { bnCnn, disposeGrads, lossAndGrads, manualSeed } = nn;
type Module = nn.Module;

/** The optimizers of the ablation: SGD with momentum, AdamW (decoupled decay), Adam with coupled L2 decay. */
export type OptimizerKind = 'sgd' | 'adamw' | 'adam-l2';

/** The optimizer kinds, in display order. */
export const OPTIMIZER_KINDS: readonly OptimizerKind[] = ['sgd', 'adamw', 'adam-l2'];

/** Human labels of the optimizer kinds. */
export const OPTIMIZER_LABELS: Readonly<Record<OptimizerKind, string>> = {
  sgd: 'SGD-momentum',
  adamw: 'AdamW',
  'adam-l2': 'Adam + L2'
};

/** The optimizer of a run. `momentum` is SGD's (default 0.9); `betas` Adam's and AdamW's (default [0.9, 0.999]). */
export interface OptimizerSetting {
  kind: OptimizerKind;
  lr: number;
  momentum?: number;
  betas?: [number, number];
}

/**
 * The learning-rate schedule of a run: constant, or cosine from η to 0 over the run's steps (stepped
 * every update). */
export type LrSchedule = 'constant' | 'cosine';

/** The schedules, in display order. */
export const LR_SCHEDULES: readonly LrSchedule[] = ['constant', 'cosine'];

/** Accuracy of the trained network in eval mode, with two sets of BN statistics. */
export interface EvaluationAccuracy {
  /** With the running statistics training left (momentum 0.1 averages over the last ~10 steps' weights). */
  stale: number;
  /**
   * With the running statistics recomputed at the final weights over the training
   * batches ({@link recalibrateBatchNorm}). */
  recalibrated: number;
}

/** Everything that determines one run. */
export interface DecayRunConfig {
  arm: DecayArm;
  /**
   * λ of the `decay` group, in PyTorch's conventions: SGD and Adam + L2 add λW to the gradient,
   * AdamW shrinks W by ηλ. 0 for the arm without decay.
   */
  weightDecay: number;
  optimizer: OptimizerSetting;
  schedule: LrSchedule;
  /** Seeds the initialisation and the batch order. */
  seed: number;
  epochs: number;
  batchSize: number;
  /** Channels of the CNN's conv layers (`bnCnn`). */
  channels: number[];
  /** Record the traces every this many steps (and at step 0). */
  recordEvery: number;
}

/** Per-step traces of one role's parameters, at the run's recorded steps. */
export interface RoleTrace {
  /** ‖W‖ of the role's parameters taken together: √(Σ‖W_p‖²). */
  weightNorm: number[];
  /** Mean over the role's tensors of η/‖W_p‖² (the effective learning rate of a scale-invariant tensor under SGD). */
  effectiveLr: number[];
  /** Mean over the role's tensors of ‖ΔW_p‖/‖W_p‖: the angular step actually taken, for any optimizer. */
  angularStep: number[];
}

/** The outcome of one run. */
export interface DecayRunResult {
  config: DecayRunConfig;
  testAccuracy: EvaluationAccuracy;
  trainAccuracy: EvaluationAccuracy;
  /** Steps (completed updates) at which the traces were recorded. */
  steps: number[];
  /** Mini-batch loss at the recorded steps. */
  loss: number[];
  /** Traces per role present in the model. */
  roles: Partial<Record<ParamRole, RoleTrace>>;
  /** Wall-clock time of the run, in seconds. */
  seconds: number;
}

/** Called after each step with the steps done, the total and (at recorded steps) the loss. */
export type StepCallback = (done: number, total: number, loss: number | undefined) => void;

function checkConfig(config: DecayRunConfig): void {
  const { arm, optimizer, weightDecay, schedule, seed } = config;
  const where = `run (${arm}, ${optimizer?.kind}, λ=${weightDecay}, ${schedule}, seed ${seed})`;
  const positiveInt = (name: string, value: number) => {
    if (!Number.isInteger(value) || value <= 0)
      throw new ScienceError(`${where}: ${name} must be a positive integer, got ${describeValue(value)}`);
  };
  positiveInt('epochs', config.epochs);
  positiveInt('batchSize', config.batchSize);
  positiveInt('recordEvery', config.recordEvery);
  if (!Number.isInteger(config.seed))
    throw new ScienceError(`${where}: seed must be an integer, got ${describeValue(config.seed)}`);
  if (!Array.isArray(config.channels) || config.channels.length === 0)
    throw new ScienceError(`${where}: channels must list at least one width, got ${describeValue(config.channels)}`);
  if (!OPTIMIZER_KINDS.includes(config.optimizer?.kind)) {
    throw new ScienceError(
      `${where}: optimizer.kind must be one of ${OPTIMIZER_KINDS.join(', ')}, ` +
        `got ${describeValue(config.optimizer?.kind)}`
    );
  }
  if (!LR_SCHEDULES.includes(config.schedule)) {
    throw new ScienceError(
      `${where}: schedule must be one of ${LR_SCHEDULES.join(', ')}, got ${describeValue(schedule)}`
    );
  }
  if (!(config.weightDecay >= 0) || !Number.isFinite(config.weightDecay)) {
    throw new ScienceError(
      `${where}: weightDecay must be a finite number ≥ 0, got ${describeValue(config.weightDecay)}`
    );
  }
}

/** An optimizer whose groups have a learning rate (what the schedulers set). */
type RunOptimizer = Optimizer<{ lr: number }>;

/** The optimizer of a run over the arm's groups. */
export function buildOptimizer(setting: OptimizerSetting, groups: ParamGroup[]): RunOptimizer {
  if (setting.kind === 'sgd') {
    return new SGD(groups, { lr: setting.lr, momentum: setting.momentum ?? 0.9 }) as RunOptimizer;
  }
  // The groups carry λ; the defaults' 0 only applies to groups without one.
  const adam = { lr: setting.lr, betas: setting.betas ?? [0.9, 0.999], weightDecay: 0 };
  return (setting.kind === 'adam-l2' ? new Adam(groups, adam) : new AdamW(groups, adam)) as RunOptimizer;
}

function summarizeRoles(
  diagnostics: ParamStepDiagnostics[],
  roleOf: Map<string, ParamRole>
): Map<ParamRole, [number, number, number]> {
  const sums = new Map<ParamRole, { normSq: number; lr: number; step: number; count: number }>();
  for (const d of diagnostics) {
    const role = roleOf.get(d.name) as ParamRole;
    const s = sums.get(role) ?? { normSq: 0, lr: 0, step: 0, count: 0 };
    s.normSq += d.weightNorm * d.weightNorm;
    s.lr += d.effectiveLr;
    s.step += d.effectiveStep;
    s.count += 1;
    sums.set(role, s);
  }
  return new Map([...sums].map(([role, s]) => [role, [Math.sqrt(s.normSq), s.lr / s.count, s.step / s.count]]));
}

function accuracy(model: Module, images: tf.Tensor4D, labels: tf.Tensor1D): number {
  model.eval();
  try {
    return tf.tidy(() => tf.mean(tf.equal(tf.argMax(model.call(images), -1), labels).toFloat()).dataSync()[0]);
  } finally {
    model.train();
  }
}

/** The training images in their stored order, in full batches of `batchSize` (the recalibration pass). */
function trainingBatches(images: tf.Tensor4D, batchSize: number): tf.Tensor4D[] {
  const batches = Math.floor(images.shape[0] / batchSize);
  return Array.from({ length: batches }, (_, b) => images.slice(b * batchSize, batchSize));
}

/** Train and test accuracy with the stale running statistics, then with recalibrated ones. */
function evaluateBothWays(
  model: Module,
  train: { images: tf.Tensor4D; labels: tf.Tensor1D },
  test: { images: tf.Tensor4D; labels: tf.Tensor1D },
  batchSize: number
): { trainAccuracy: EvaluationAccuracy; testAccuracy: EvaluationAccuracy } {
  const trainStale = accuracy(model, train.images, train.labels);
  const testStale = accuracy(model, test.images, test.labels);
  const batches = trainingBatches(train.images, batchSize);
  try {
    recalibrateBatchNorm(model, batches);
  } finally {
    tf.dispose(batches);
  }
  return {
    trainAccuracy: { stale: trainStale, recalibrated: accuracy(model, train.images, train.labels) },
    testAccuracy: { stale: testStale, recalibrated: accuracy(model, test.images, test.labels) }
  };
}

/** The timer every JavaScript host has (Node, browsers); this package compiles without their typings. */
declare function setTimeout(callback: () => void, ms: number): unknown;

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains one arm. Seeds the global initialisation (`manualSeed(config.seed)`) while building the
 * network, then turns seeding off. Registers the conv filter-gradient kernel on backends that lack
 * it (wasm). Yields to the event loop every few steps so a notebook can show progress.
 */
export async function trainDecayArm(
  dataset: ImageDataset,
  config: DecayRunConfig,
  onStep?: StepCallback
): Promise<DecayRunResult> {
  checkConfig(config);
  ensureConv2dFilterGradient();
  const started = Date.now();
  const train = splitTensors(dataset, 'train');
  const test = splitTensors(dataset, 'test');
  manualSeed(config.seed);
  const model = bnCnn({ inChannels: 1, channels: config.channels, numClasses: dataset.classes });
  manualSeed(null);
  let optimizer: RunOptimizer | undefined;
  try {
    const sample = train.images.slice(0, Math.min(2, dataset.train.labels.length));
    const paramModel = paramModelFromModule(model, { sampleInput: sample });
    sample.dispose();
    const roleOf = new Map(paramModel.params.map((p) => [p.name, paramRole(p)]));
    optimizer = buildOptimizer(config.optimizer, decayArmGroups(paramModel, config.arm, config.weightDecay));
    const n = dataset.train.labels.length;
    const batchesPerEpoch = Math.floor(n / config.batchSize);
    if (batchesPerEpoch === 0) throw new ScienceError(`batchSize ${config.batchSize} exceeds the ${n} training images`);
    const total = batchesPerEpoch * config.epochs;
    const scheduler =
      config.schedule === 'cosine' ? new CosineAnnealingLR(optimizer, { tMax: total, etaMin: 0 }) : undefined;
    const uniform = seededUniform(config.seed);
    const unset: EvaluationAccuracy = { stale: NaN, recalibrated: NaN };
    const result: DecayRunResult = {
      config,
      testAccuracy: unset,
      trainAccuracy: unset,
      steps: [],
      loss: [],
      roles: {},
      seconds: 0
    };
    for (const role of PARAM_ROLES)
      if ([...roleOf.values()].includes(role))
        result.roles[role] = { weightNorm: [], effectiveLr: [], angularStep: [] };
    let done = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = shuffledIndices(n, uniform);
      for (let b = 0; b < batchesPerEpoch; b++) {
        const indices = tf.tensor1d(order.slice(b * config.batchSize, (b + 1) * config.batchSize), 'int32');
        const { loss, grads } = lossAndGrads(model, () =>
          tf.tidy(() => {
            const logits = model.call(tf.gather(train.images, indices));
            return tf.losses.softmaxCrossEntropy(
              tf.oneHot(tf.gather(train.labels, indices), dataset.classes),
              logits
            ) as tf.Scalar;
          })
        );
        optimizer.step(grads);
        scheduler?.step();
        disposeGrads(grads);
        indices.dispose();
        let recordedLoss: number | undefined;
        if (done % config.recordEvery === 0) {
          recordedLoss = loss.dataSync()[0];
          result.steps.push(done);
          result.loss.push(recordedLoss);
          for (const [role, [norm, lr, step]] of summarizeRoles(optimizer.diagnostics(), roleOf)) {
            const trace = result.roles[role] as RoleTrace;
            trace.weightNorm.push(norm);
            trace.effectiveLr.push(lr);
            trace.angularStep.push(step);
          }
        }
        loss.dispose();
        done++;
        onStep?.(done, total, recordedLoss);
        if (done % 10 === 0) await yieldToEventLoop();
      }
    }
    Object.assign(result, evaluateBothWays(model, train, test, config.batchSize));
    result.seconds = (Date.now() - started) / 1000;
    return result;
  } finally {
    model.dispose();
    optimizer?.dispose(); // its state lives on the backend (the wasm heap)
    tf.dispose([train.images, train.labels, test.images, test.labels]);
  }
}
