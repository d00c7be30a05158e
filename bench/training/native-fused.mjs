// Batch norm and ReLU on TensorFlow's own fused kernels (FusedBatchNormV3 / FusedBatchNormGradV3,
// ReluGrad), called through tfjs-node's op executor (reached through @paramscope/core/node's seam):
// what a native-only fast path in a library could gain over composing TF.js ops. Needs the
// `tensorflow` backend (@tensorflow/tfjs-node).
import tf from '@tensorflow/tfjs';
import coreNode from '@paramscope/core/node';
import { updateRunningStats } from './tfjs-models.mjs';

/** The layers for tfjs-models.mjs's networks, bound to the active tfjs-node backend. */
export function nativeFusedLayers() {
  // tfjs-node's op executor is private: reached through core's seam, which checks it.
  const backend = coreNode.tfjsNodeBackend();
  if (backend === null) {
    throw new Error(`native-fused layers need the tensorflow backend (tfjs-node), not '${tf.getBackend()}'`);
  }
  const { binding } = backend;
  const float = (name) => ({ name, type: binding.TF_ATTR_TYPE, value: binding.TF_FLOAT });
  const batchNormAttrs = [
    float('T'),
    float('U'),
    { name: 'epsilon', type: binding.TF_ATTR_FLOAT, value: 1e-5 },
    { name: 'data_format', type: binding.TF_ATTR_STRING, value: 'NHWC' },
    { name: 'is_training', type: binding.TF_ATTR_BOOL, value: true }
  ];
  const forwardAttrs = [...batchNormAttrs, { name: 'exponential_avg_factor', type: binding.TF_ATTR_FLOAT, value: 1 }];

  // In training mode FusedBatchNormV3 returns the batch mean and the unbiased batch variance, and
  // keeps what its gradient needs in the reserve spaces.
  const batchNorm = tf.customGrad((x, gamma, beta, runningMean, runningVar, save) => {
    const none = tf.tensor1d([]);
    const [y, mean, variance, ...reserve] = backend.executeMultipleOutputs(
      'FusedBatchNormV3',
      forwardAttrs,
      [x, gamma, beta, none, none],
      6
    );
    updateRunningStats({ runningMean, runningVar }, mean, variance);
    save([x, gamma, ...reserve]);
    return {
      value: y,
      gradFunc: (dy, [input, scale, ...saved]) => {
        const [dx, dGamma, dBeta] = backend.executeMultipleOutputs(
          'FusedBatchNormGradV3',
          batchNormAttrs,
          [dy, input, scale, ...saved],
          5
        );
        return [dx, dGamma, dBeta, tf.zerosLike(runningMean), tf.zerosLike(runningVar)];
      }
    };
  });

  const relu = tf.customGrad((x, save) => {
    const y = tf.relu(x);
    save([y]);
    return {
      value: y,
      gradFunc: (dy, [output]) => backend.executeSingleOutput('ReluGrad', [float('T')], [dy, output])
    };
  });

  return { relu, batchNorm: (x, bn) => batchNorm(x, bn.gamma, bn.beta, bn.runningMean, bn.runningVar) };
}
