import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { cpuBackendValues, describeCpuBackendProblem, installedCpuBackendVersion } from './cpu-backend';

describe('seam onto the cpu backend storage', () => {
  beforeAll(async () => {
    await tf.setBackend('cpu');
  });

  it('finds the storage it was written for in the installed cpu backend', () => {
    expect(describeCpuBackendProblem(tf.backend())).toBeNull();
    const tensor = tf.tensor([1, 2, 3]);
    const view = cpuBackendValues(tensor);
    const where = `tfjs-internals/cpu-backend with @tensorflow/tfjs-backend-cpu ${installedCpuBackendVersion()}`;
    expect(view, `${where}: no view of a float32 tensor's values`).toBeInstanceOf(Float32Array);
    view![0] = 7;
    expect(Array.from(tensor.dataSync()), `${where}: writing the view does not change the tensor`).toEqual([7, 2, 3]);
    tensor.dispose();
  });

  it('gives no view of other dtypes', () => {
    const ints = tf.tensor([1, 2], [2], 'int32');
    expect(cpuBackendValues(ints)).toBeUndefined();
    ints.dispose();
  });

  it('names itself and the installed version when the storage changed', () => {
    const message = describeCpuBackendProblem({ storage: new Map() }, '5.0.0');
    expect(message).toMatch(/^@paramscope\/core tfjs-internals\/cpu-backend: the backend has no `data` map /);
    expect(message).toMatch(/ in @tensorflow\/tfjs-backend-cpu 5\.0\.0 \(this seam was written for 4\.22\.0;/);
  });
});
