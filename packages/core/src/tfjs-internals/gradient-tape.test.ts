import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { describeGradientTapeProblem, gradientDepth, recordKernels } from './gradient-tape';

describe('seam onto the gradient tape', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('finds the tape it was written for in the installed tfjs-core', () => {
    expect(describeGradientTapeProblem()).toBeNull();
    const a = tf.variable(tf.tensor([1, 2]));
    const b = tf.tensor([3, 4]);
    const tape = recordKernels(() => tf.dispose(tf.tidy(() => tf.relu(tf.add(a, b)))));
    const where = `tfjs-internals/gradient-tape with @tensorflow/tfjs-core ${tf.version_core}`;
    const kernels = tape.filter((node) => node.kernelName === 'Add' || node.kernelName === 'Relu');
    const names = kernels.map((node) => node.kernelName);
    expect(names, `${where}: the tape does not list the kernels run`).toEqual(['Add', 'Relu']);
    expect(Object.values(kernels[0].inputs), `${where}: a tape node does not hold its inputs`).toContain(a);
    tf.dispose([a, b]);
  });

  it('counts the gradient computations that enclose the current one', () => {
    const depths: number[] = [gradientDepth()];
    const g = tf.grad((x: tf.Tensor) => {
      depths.push(gradientDepth());
      return tf.square(x);
    });
    tf.dispose(g(tf.scalar(3)));
    expect(depths, `tfjs-internals/gradient-tape with @tensorflow/tfjs-core ${tf.version_core}`).toEqual([0, 1]);
  });

  it('names itself and the installed version when the engine changed', () => {
    const changed = { startTape() {}, endTape() {}, state: { activeTape: null } };
    const message = describeGradientTapeProblem(changed, '5.0.0');
    expect(message).toMatch(/^@paramscope\/core tfjs-internals\/gradient-tape: /);
    expect(message).toMatch(/the engine state has no numeric `gradientDepth`/);
    expect(message).toMatch(/ in @tensorflow\/tfjs-core 5\.0\.0 \(this seam was written for 4\.22\.0;/);
  });
});
