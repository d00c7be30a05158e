/**
 * The training loop the notebooks' experiments share: a classifier trained with softmax
 * cross-entropy on mini-batches of a {@link TeacherDataset}, with hooks to change hyperparameters
 * before a step and to record gradients and weights after it.
 */
import * as tf from '@tensorflow/tfjs';
import { nn } from '@paramscope/core';
import type { TeacherDataset } from './teacher-data';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

const { disposeGrads, lossAndGrads } = nn;
type Module = nn.Module;

/** What the loop needs from an optimizer: a step from gradients keyed by parameter name. */
export interface StepsWithGradients {
  step(grads: Record<string, tf.Tensor>): unknown;
}

/** Options of {@link trainClassifier}. */
export interface TrainClassifierOptions {
  model: Module;
  optimizer: StepsWithGradients;
  data: TeacherDataset;
  steps: number;
  batchSize: number;
  /** Called before step `t` (0-based), e.g. to change a learning rate. */
  beforeStep?: (step: number) => void;
  /**
   * Called after step `t` with the batch loss and the gradients the step used (keyed by
   * parameter name; valid only during the call).
   */
  afterStep?: (step: number, loss: number, grads: Record<string, tf.Tensor>) => void;
}

function softmaxCrossEntropy(model: Module, inputs: tf.Tensor, labels: tf.Tensor): () => tf.Scalar {
  return () => tf.losses.softmaxCrossEntropy(labels, model.call(inputs)) as tf.Scalar;
}

/** Trains `model` in place and returns the batch loss of every step. Frees every tensor it makes. */
export function trainClassifier(options: TrainClassifierOptions): number[] {
  const { model, optimizer, data, steps, batchSize, beforeStep, afterStep } = options;
  if (!Number.isInteger(steps) || steps < 1)
    throw new ScienceError(`trainClassifier: steps must be a positive integer, got ${describeValue(steps)}`);
  const losses: number[] = [];
  for (let step = 0; step < steps; step++) {
    beforeStep?.(step);
    const batch = data.batch(step, batchSize);
    const { loss, grads } = lossAndGrads(model, softmaxCrossEntropy(model, batch.inputs, batch.labels));
    try {
      optimizer.step(grads);
      const value = loss.dataSync()[0];
      losses.push(value);
      afterStep?.(step, value, grads);
    } finally {
      disposeGrads(grads);
      tf.dispose([loss, batch.inputs, batch.labels]);
    }
  }
  return losses;
}

/**
 * E[∂L/∂p] over one pass of the data in batches of `batchSize`, at the current parameters, for the
 * parameters named in `names` (flattened values). The model stays in training mode (BN uses batch
 * statistics, as during training).
 */
export function meanGradients(
  model: Module,
  data: TeacherDataset,
  batchSize: number,
  names: readonly string[]
): Record<string, number[]> {
  const samples = data.inputs.shape[0];
  const batches = Math.floor(samples / batchSize);
  if (batches < 1) throw new ScienceError(`meanGradients: batchSize ${batchSize} exceeds the ${samples} samples`);
  const sums: Record<string, Float64Array> = {};
  for (let b = 0; b < batches; b++) {
    const batch = data.batch(b, batchSize);
    const { loss, grads } = lossAndGrads(model, softmaxCrossEntropy(model, batch.inputs, batch.labels));
    try {
      for (const name of names) {
        const grad = grads[name];
        if (!grad) throw new ScienceError(`meanGradients: the model has no trainable parameter "${name}"`);
        const values = grad.dataSync();
        const sum = (sums[name] ??= new Float64Array(values.length));
        values.forEach((v, i) => (sum[i] += v / batches));
      }
    } finally {
      disposeGrads(grads);
      tf.dispose([loss, batch.inputs, batch.labels]);
    }
  }
  return Object.fromEntries(Object.entries(sums).map(([name, values]) => [name, Array.from(values)]));
}

/**
 * Two parameter groups over `params`: the `decayed` names with `weightDecay`, the rest without
 * decay; an empty group is left out.
 */
export function decayedAndRest(
  params: ReadonlyMap<string, tf.Variable>,
  decayed: readonly string[],
  weightDecay: number
): Array<{ params: Array<{ name: string; variable: tf.Variable }>; weightDecay: number }> {
  const members = (decay: boolean) =>
    [...params].filter(([name]) => decayed.includes(name) === decay).map(([name, variable]) => ({ name, variable }));
  return [
    { params: members(true), weightDecay },
    { params: members(false), weightDecay: 0 }
  ].filter((g) => g.params.length > 0);
}
