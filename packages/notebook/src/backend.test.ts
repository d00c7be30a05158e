import * as tf from '@tensorflow/tfjs';
import { afterEach, describe, expect, it } from 'vitest';
import { BACKEND_PREFERENCE, backendsFor, describeBackend, useBestBackend } from './backend';

describe('useBestBackend', () => {
  it('skips the native bindings that are not installed and activates a working backend', async () => {
    const report = await useBestBackend(['tfjs-node', 'wasm', 'cpu']);
    const nativeInstalled = report.attempts[0].ok;
    if (!nativeInstalled) {
      expect(report.attempts[0]).toEqual({
        backend: 'tfjs-node',
        ok: false,
        reason: '@tensorflow/tfjs-node is not installed'
      });
      expect(report.backend).toBe('wasm');
    }
    expect(tf.getBackend()).toBe(report.tfBackend);
    expect(describeBackend(report)).toContain(`TF.js backend: ${report.backend}`);
  });

  it('uses the cpu backend when asked', async () => {
    const report = await useBestBackend(['cpu']);
    expect(report).toEqual({ backend: 'cpu', tfBackend: 'cpu', attempts: [{ backend: 'cpu', ok: true }] });
    expect(tf.getBackend()).toBe('cpu');
  });

  it('rejects an unknown backend name and an empty list', async () => {
    await expect(useBestBackend(['webgpu' as never])).rejects.toThrow(/unknown backend "webgpu"/);
    await expect(useBestBackend([])).rejects.toThrow(/empty/);
  });
});

describe('useBestBackend on wasm', () => {
  it('makes convolution filter gradients available, so conv nets can train', async () => {
    await useBestBackend(['wasm']);
    const x = tf.randomNormal([2, 5, 5, 3], 0, 1, 'float32', 1);
    const filter = tf.variable(tf.randomNormal([3, 3, 3, 4], 0, 1, 'float32', 2));
    const { grads } = tf.variableGrads(
      () => tf.sum(tf.conv2d(x as tf.Tensor4D, filter as unknown as tf.Tensor4D, 1, 'valid')),
      [filter]
    );
    expect(grads[filter.name].shape).toEqual([3, 3, 3, 4]);
    expect(Number.isFinite(tf.sum(grads[filter.name]).dataSync()[0])).toBe(true);
    tf.dispose([x, filter, grads[filter.name]]);
  });
});

describe('backendsFor', () => {
  const forced = process.env.PARAMSCOPE_BACKEND;
  afterEach(() => {
    if (forced === undefined) delete process.env.PARAMSCOPE_BACKEND;
    else process.env.PARAMSCOPE_BACKEND = forced;
  });

  it('puts wasm first for many small ops and the native bindings first for large ones', () => {
    delete process.env.PARAMSCOPE_BACKEND;
    expect(backendsFor('small-ops')).toEqual(['wasm', 'tfjs-node-gpu', 'tfjs-node', 'cpu']);
    expect(backendsFor('large-ops')).toEqual(BACKEND_PREFERENCE);
  });

  it('lets PARAMSCOPE_BACKEND win over the workload', () => {
    process.env.PARAMSCOPE_BACKEND = 'cpu';
    expect(backendsFor('small-ops')).toEqual(['cpu']);
    expect(backendsFor('large-ops')).toEqual(['cpu']);
  });

  it('names an unknown workload', () => {
    expect(() => backendsFor('tiny' as never)).toThrow(
      'backendsFor: unknown workload "tiny" (expected one of large-ops, small-ops)'
    );
  });
});
