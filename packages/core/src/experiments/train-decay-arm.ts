/**
 * One run of the decay-group ablation: a small BN CNN (`bnCnn`) trained on an image data set
 * with SGD-momentum or AdamW, the parameter groups of one arm, and per-role traces of the weight
 * norm and effective learning rate read from the optimizer's per-step diagnostics.
 */
import * as tf from '@tensorflow/tfjs';
import { manualSeed } from '../nn/init';
import { bnCnn } from '../nn/small';
import { lossAndGrads, disposeGrads } from '../nn/grad';
import type { Module } from '../nn/module';
import { paramModelFromModule } from '../params/from-module';
import { SGD } from '../optim/sgd';
import { AdamW } from '../optim/adam';
import type { Optimizer } from '../optim/optimizer';
import type { ParamStepDiagnostics } from '../optim/types';
import type { ParamGroup } from '../params/types';
import { ensureConv2dFilterGradient } from '../kernels';
import { splitTensors, type ImageDataset } from './dataset';
import { decayArmGroups, paramRole, PARAM_ROLES, type DecayArm, type ParamRole } from './decay-arms';
import { seededUniform, shuffledIndices } from './random';

/** The optimizer of a run. `momentum` is SGD's (default 0.9); `betas` AdamW's (default [0.9, 0.999]). */
export interface OptimizerSetting {
  kind: 'sgd' | 'adamw';
  lr: number;
  momentum?: number;
  betas?: [number, number];
}

/** Everything that determines one run. */
export interface DecayRunConfig {
  arm: DecayArm;
  /** λ of the `decay` group (PyTorch's convention: SGD adds λW to the gradient, AdamW shrinks W by ηλ). */
  weightDecay: number;
  optimizer: OptimizerSetting;
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
  testAccuracy: number;
  trainAccuracy: number;
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
  const where = `run (${config.arm}, ${config.optimizer?.kind}, λ=${config.weightDecay}, seed ${config.seed})`;
  const positiveInt = (name: string, value: number) => {
    if (!Number.isInteger(value) || value <= 0) throw new RangeError(`${where}: ${name} must be a positive integer, got ${value}`);
  };
  positiveInt('epochs', config.epochs);
  positiveInt('batchSize', config.batchSize);
  positiveInt('recordEvery', config.recordEvery);
  if (!Number.isInteger(config.seed)) throw new RangeError(`${where}: seed must be an integer, got ${config.seed}`);
  if (!Array.isArray(config.channels) || config.channels.length === 0) throw new RangeError(`${where}: channels must list at least one width`);
  if (config.optimizer?.kind !== 'sgd' && config.optimizer?.kind !== 'adamw') {
    throw new RangeError(`${where}: optimizer.kind must be 'sgd' or 'adamw', got ${JSON.stringify(config.optimizer?.kind)}`);
  }
}

/** The optimizer of a run over the arm's groups. */
export function buildOptimizer(setting: OptimizerSetting, groups: ParamGroup[]): Optimizer<object> {
  if (setting.kind === 'sgd') return new SGD(groups, { lr: setting.lr, momentum: setting.momentum ?? 0.9 }) as Optimizer<object>;
  return new AdamW(groups, { lr: setting.lr, betas: setting.betas ?? [0.9, 0.999], weightDecay: 0 }) as Optimizer<object>;
}

function summarizeRoles(diagnostics: ParamStepDiagnostics[], roleOf: Map<string, ParamRole>): Map<ParamRole, [number, number, number]> {
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

const yieldToEventLoop = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Trains one arm. Seeds the global initialisation (`manualSeed(config.seed)`) while building the
 * network, then turns seeding off. Registers the conv filter-gradient kernel on backends that lack
 * it (wasm). Yields to the event loop every few steps so a notebook can show progress.
 */
export async function trainDecayArm(dataset: ImageDataset, config: DecayRunConfig, onStep?: StepCallback): Promise<DecayRunResult> {
  checkConfig(config);
  ensureConv2dFilterGradient();
  const started = Date.now();
  const train = splitTensors(dataset, 'train');
  const test = splitTensors(dataset, 'test');
  manualSeed(config.seed);
  const model = bnCnn({ inChannels: 1, channels: config.channels, numClasses: dataset.classes });
  manualSeed(null);
  try {
    const sample = train.images.slice(0, Math.min(2, dataset.train.labels.length));
    const paramModel = paramModelFromModule(model, { sampleInput: sample });
    sample.dispose();
    const roleOf = new Map(paramModel.params.map((p) => [p.name, paramRole(p)]));
    const optimizer = buildOptimizer(config.optimizer, decayArmGroups(paramModel, config.arm, config.weightDecay));
    const n = dataset.train.labels.length;
    const batchesPerEpoch = Math.floor(n / config.batchSize);
    if (batchesPerEpoch === 0) throw new RangeError(`batchSize ${config.batchSize} exceeds the ${n} training images`);
    const total = batchesPerEpoch * config.epochs;
    const uniform = seededUniform(config.seed);
    const result: DecayRunResult = { config, testAccuracy: NaN, trainAccuracy: NaN, steps: [], loss: [], roles: {}, seconds: 0 };
    for (const role of PARAM_ROLES) if ([...roleOf.values()].includes(role)) result.roles[role] = { weightNorm: [], effectiveLr: [], angularStep: [] };
    let done = 0;
    for (let epoch = 0; epoch < config.epochs; epoch++) {
      const order = shuffledIndices(n, uniform);
      for (let b = 0; b < batchesPerEpoch; b++) {
        const indices = tf.tensor1d(order.slice(b * config.batchSize, (b + 1) * config.batchSize), 'int32');
        const { loss, grads } = lossAndGrads(model, () =>
          tf.tidy(() => {
            const logits = model.call(tf.gather(train.images, indices));
            return tf.losses.softmaxCrossEntropy(tf.oneHot(tf.gather(train.labels, indices), dataset.classes), logits) as tf.Scalar;
          })
        );
        optimizer.step(grads);
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
    result.trainAccuracy = accuracy(model, train.images, train.labels);
    result.testAccuracy = accuracy(model, test.images, test.labels);
    result.seconds = (Date.now() - started) / 1000;
    return result;
  } finally {
    model.dispose();
    tf.dispose([train.images, train.labels, test.images, test.labels]);
  }
}
