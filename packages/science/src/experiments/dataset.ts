/**
 * A small image-classification data set held in plain arrays (the 8×8 digits the set-up exports
 * to `data/digits.json`), checked on arrival so a malformed file fails with the field it lacks.
 * Reading the file is the caller's job (Node-only): this module only validates and converts.
 */
import * as tf from '@tensorflow/tfjs';
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** One split: images flattened row-major (N·H·W values in [0, 1]) and integer labels. */
export interface ImageSplit {
  images: ArrayLike<number>;
  labels: ArrayLike<number>;
}

/** Grey images of `height`×`width` pixels in `classes` classes, split into train and test. */
export interface ImageDataset {
  height: number;
  width: number;
  classes: number;
  train: ImageSplit;
  test: ImageSplit;
  description?: string;
}

function fail(source: string, field: string, problem: string): never {
  throw new ScienceError(`${source}: ${field} ${problem}`);
}

function checkSplit(source: string, name: string, value: unknown, pixels: number, classes: number): ImageSplit {
  const split = value as Partial<ImageSplit> | undefined;
  if (!split || typeof split !== 'object') fail(source, name, 'is missing (expected { images, labels })');
  const { images, labels } = split;
  if (!Array.isArray(images) && !(images instanceof Float32Array))
    fail(source, `${name}.images`, 'must be an array of pixel values');
  if (!Array.isArray(labels)) fail(source, `${name}.labels`, 'must be an array of class indices');
  if (labels.length === 0) fail(source, `${name}.labels`, 'is empty');
  if (images.length !== labels.length * pixels) {
    fail(
      source,
      `${name}.images`,
      `has ${images.length} values, expected ${labels.length} labels × ${pixels} pixels = ${labels.length * pixels}`
    );
  }
  const badLabel = labels.findIndex((l) => !Number.isInteger(l) || l < 0 || l >= classes);
  if (badLabel >= 0)
    fail(source, `${name}.labels[${badLabel}]`, `is ${labels[badLabel]}, not a class index in 0…${classes - 1}`);
  for (let i = 0; i < images.length; i++) {
    if (!Number.isFinite(images[i])) fail(source, `${name}.images[${i}]`, `is ${images[i]}, not a finite number`);
  }
  return { images, labels };
}

/**
 * Checks a parsed JSON object of the form `{ shape: [H, W], classes, train: { images, labels },
 * test: { images, labels } }` and returns it as an {@link ImageDataset}. `source` names the
 * origin (a file path) in errors.
 */
export function parseImageDataset(json: unknown, source = 'image dataset'): ImageDataset {
  const value = json as Record<string, unknown> | null;
  if (!value || typeof value !== 'object') fail(source, 'the data set', 'must be an object');
  const shape = value.shape as unknown;
  if (!Array.isArray(shape) || shape.length !== 2 || !shape.every((d) => Number.isInteger(d) && d > 0)) {
    fail(source, 'shape', `must be [height, width] of positive integers, got ${describeValue(shape)}`);
  }
  const classes = value.classes;
  if (!Number.isInteger(classes) || (classes as number) < 2)
    fail(source, 'classes', `must be an integer ≥ 2, got ${describeValue(classes)}`);
  const [height, width] = shape as number[];
  const pixels = height * width;
  const dataset: ImageDataset = {
    height,
    width,
    classes: classes as number,
    train: checkSplit(source, 'train', value.train, pixels, classes as number),
    test: checkSplit(source, 'test', value.test, pixels, classes as number)
  };
  if (typeof value.description === 'string') dataset.description = value.description;
  return dataset;
}

/** Images as an NHWC tensor `[N, H, W, 1]` and labels as int32, for one split. */
export function splitTensors(
  dataset: ImageDataset,
  split: 'train' | 'test'
): { images: tf.Tensor4D; labels: tf.Tensor1D } {
  const { images, labels } = dataset[split];
  return tf.tidy(() => ({
    images: tf.tensor4d(Float32Array.from(images), [labels.length, dataset.height, dataset.width, 1]),
    labels: tf.tensor1d(Int32Array.from(labels), 'int32')
  }));
}

/** The first `count` examples of each split (or fewer), for quick runs and tests. */
export function subsetDataset(dataset: ImageDataset, train: number, test: number): ImageDataset {
  const pixels = dataset.height * dataset.width;
  const take = (split: ImageSplit, n: number): ImageSplit => {
    const count = Math.min(n, split.labels.length);
    return {
      images: Array.from(split.images).slice(0, count * pixels),
      labels: Array.from(split.labels).slice(0, count)
    };
  };
  return { ...dataset, train: take(dataset.train, train), test: take(dataset.test, test) };
}
