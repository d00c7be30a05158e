import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { describeBackend, useBestBackend } from './backend';

describe('useBestBackend', () => {
  it('skips the native bindings that are not installed and activates a working backend', async () => {
    const report = await useBestBackend(['tfjs-node', 'wasm', 'cpu']);
    const nativeInstalled = report.attempts[0].ok;
    if (!nativeInstalled) {
      expect(report.attempts[0]).toEqual({ backend: 'tfjs-node', ok: false, reason: '@tensorflow/tfjs-node is not installed' });
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
