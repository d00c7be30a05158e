import * as tf from '@tensorflow/tfjs';
import { describe, expect, it } from 'vitest';
import { nativeBackendInstalled } from '../../test-utils/native-backend';
import { describeTfjsNodeProblem, libtensorflowVersion, tfjsNodeBackend, tfjsNodeUsesGpu } from './tfjs-node';

const installed = nativeBackendInstalled();

describe('seam onto the tfjs-node backend', () => {
  it.skipIf(!installed)('finds the op executor it was written for in the installed tfjs-node', async () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const version = (require('@tensorflow/tfjs-node/package.json') as { version: string }).version;
    await tf.setBackend('tensorflow');
    expect(describeTfjsNodeProblem(tf.backend(), version)).toBeNull();
    const backend = tfjsNodeBackend();
    const where = `tfjs-internals/tfjs-node with @tensorflow/tfjs-node ${version}`;
    expect(backend, where).not.toBeNull();
    const dy = tf.tensor([1, 2, 3]);
    const y = tf.tensor([0, 1, 2]);
    const attrs = [{ name: 'T', type: backend!.binding.TF_ATTR_TYPE, value: backend!.binding.TF_FLOAT }];
    const dx = backend!.executeSingleOutput('ReluGrad', attrs, [dy, y]);
    expect(Array.from(dx.dataSync()), `${where}: executeSingleOutput('ReluGrad')`).toEqual([0, 2, 3]);
    expect(libtensorflowVersion(), `${where}: binding.TF_Version`).toMatch(/^\d+\.\d+/);
    expect(typeof tfjsNodeUsesGpu()).toBe('boolean');
    tf.dispose([dy, y, dx]);
    await tf.setBackend('cpu');
  });

  it('is not used on other backends', async () => {
    await tf.setBackend('cpu');
    expect(tfjsNodeBackend()).toBeNull();
    expect(tfjsNodeUsesGpu()).toBe(false);
    expect(libtensorflowVersion()).toBeUndefined();
  });

  it('names itself and the installed version when the backend changed', () => {
    const changed = { executeSingleOutput() {}, executeMultipleOutputs() {}, binding: { TF_ATTR_TYPE: 1 } };
    const message = describeTfjsNodeProblem(changed, '5.0.0');
    expect(message).toMatch(/^@paramscope\/core tfjs-internals\/tfjs-node: /);
    expect(message).toMatch(/the backend's binding lacks the numeric constants TF_ATTR_FLOAT, /);
    expect(message).toMatch(/ in @tensorflow\/tfjs-node 5\.0\.0 \(this seam was written for 4\.22\.0;/);
  });
});
