import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { parseImageDataset, splitTensors, subsetDataset } from './dataset';

const tiny = () => ({
  shape: [2, 2],
  classes: 3,
  train: { images: [0, 0.5, 1, 0, 1, 1, 0, 0], labels: [0, 2] },
  test: { images: [0.25, 0.25, 0.25, 0.25], labels: [1] }
});

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('parseImageDataset', () => {
  it('accepts a well-formed data set and converts a split to NHWC tensors', () => {
    const data = parseImageDataset(tiny(), 'tiny.json');
    expect([data.height, data.width, data.classes]).toEqual([2, 2, 3]);
    const { images, labels } = splitTensors(data, 'train');
    expect(images.shape).toEqual([2, 2, 2, 1]);
    expect(Array.from(images.dataSync())).toEqual([0, 0.5, 1, 0, 1, 1, 0, 0]);
    expect(Array.from(labels.dataSync())).toEqual([0, 2]);
    tf.dispose([images, labels]);
  });

  it('names the file and the field that is wrong', () => {
    const badLabel = tiny();
    badLabel.train.labels[1] = 3;
    expect(() => parseImageDataset(badLabel, 'tiny.json')).toThrow(
      'tiny.json: train.labels[1] is 3, not a class index in 0…2'
    );
    const short = tiny();
    short.test.images.pop();
    expect(() => parseImageDataset(short, 'tiny.json')).toThrow(
      /test\.images has 3 values, expected 1 labels × 4 pixels = 4/
    );
    expect(() => parseImageDataset({ ...tiny(), shape: [8] }, 'x')).toThrow(/x: shape must be \[height, width\]/);
    expect(() => parseImageDataset({ ...tiny(), train: undefined }, 'x')).toThrow(/x: train is missing/);
    const nan = tiny();
    nan.train.images[2] = NaN;
    expect(() => parseImageDataset(nan, 'x')).toThrow(/train\.images\[2\] is NaN/);
  });

  it('subsetDataset keeps the first examples of each split', () => {
    const data = subsetDataset(parseImageDataset(tiny()), 1, 5);
    expect(data.train.labels).toEqual([0]);
    expect(Array.from(data.train.images)).toEqual([0, 0.5, 1, 0]);
    expect(data.test.labels).toEqual([1]);
  });
});
