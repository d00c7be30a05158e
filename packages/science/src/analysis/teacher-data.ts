/**
 * A seeded synthetic classification task for the notebooks' training runs: Gaussian inputs
 * labelled by a random two-layer teacher, served as full data or as mini-batches.
 */
import * as tf from '@tensorflow/tfjs';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** A fixed dataset with one-hot labels and deterministic mini-batches. */
export interface TeacherDataset {
  /** `[samples, features]`. */
  readonly inputs: tf.Tensor2D;
  /** One-hot `[samples, classes]`. */
  readonly labels: tf.Tensor2D;
  /**
   * The mini-batch used at `step`: consecutive slices of the data, wrapping around, so a run with
   * the same steps sees the same batches. The caller disposes the returned tensors.
   */
  batch(step: number, size: number): { inputs: tf.Tensor2D; labels: tf.Tensor2D };
  dispose(): void;
}

/** Options of {@link createTeacherDataset}. */
export interface TeacherDatasetOptions {
  samples?: number;
  features?: number;
  classes?: number;
  /** Width of the teacher's hidden layer. */
  hidden?: number;
  /**
   * Fraction of samples whose label is replaced by a random class (default 0), so the data cannot
   * be fitted exactly.
   */
  labelNoise?: number;
  seed?: number;
}

/** Builds a {@link TeacherDataset}; the same options give the same data. */
export function createTeacherDataset(options: TeacherDatasetOptions = {}): TeacherDataset {
  const { samples = 512, features = 20, classes = 5, hidden = 16, labelNoise = 0, seed = 0 } = options;
  for (const [name, value] of Object.entries({ samples, features, classes, hidden })) {
    if (!Number.isInteger(value) || value < 1)
      throw new ScienceError(`createTeacherDataset: ${name} must be a positive integer, got ${describeValue(value)}`);
  }
  if (!(labelNoise >= 0 && labelNoise <= 1))
    throw new ScienceError(`createTeacherDataset: labelNoise must be in [0, 1], got ${describeValue(labelNoise)}`);
  const [inputs, labels] = tf.tidy(() => {
    const x = tf.randomNormal([samples, features], 0, 1, 'float32', seed) as tf.Tensor2D;
    const first = tf.randomNormal([features, hidden], 0, 1 / Math.sqrt(features), 'float32', seed + 1);
    const second = tf.randomNormal([hidden, classes], 0, 1, 'float32', seed + 2);
    const logits = tf.matMul(tf.tanh(tf.matMul(x, first)), second);
    const teacherLabels = tf.argMax(logits, 1);
    const randomLabels = tf.randomUniform([samples], 0, classes, 'int32', seed + 3);
    const flip = tf.less(tf.randomUniform([samples], 0, 1, 'float32', seed + 4), labelNoise);
    return [x, tf.oneHot(tf.where(flip, randomLabels, teacherLabels), classes).toFloat() as tf.Tensor2D];
  });
  return {
    inputs,
    labels,
    batch(step, size) {
      if (!Number.isInteger(step) || step < 0)
        throw new ScienceError(`batch: step must be a non-negative integer, got ${describeValue(step)}`);
      if (!Number.isInteger(size) || size < 1 || size > samples)
        throw new ScienceError(`batch: size must be an integer in [1, ${samples}], got ${describeValue(size)}`);
      const start = (step * size) % samples;
      return tf.tidy(() => {
        const indices = tf.tensor1d(
          Array.from({ length: size }, (_, i) => (start + i) % samples),
          'int32'
        );
        return { inputs: tf.gather(inputs, indices) as tf.Tensor2D, labels: tf.gather(labels, indices) as tf.Tensor2D };
      });
    },
    dispose: () => tf.dispose([inputs, labels])
  };
}
