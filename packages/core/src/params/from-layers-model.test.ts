import * as tf from '@tensorflow/tfjs';
import { beforeAll, describe, expect, it } from 'vitest';
import { paramModelFromLayersModel } from './index';
import { groupParams, verifyParamGroups } from '../index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

function convNet(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 3] });
  const conv = tf.layers
    .conv2d({ filters: 4, kernelSize: 3, useBias: false, name: 'conv' })
    .apply(input) as tf.SymbolicTensor;
  const padded = tf.layers.zeroPadding2d({ padding: 1, name: 'pad' }).apply(conv) as tf.SymbolicTensor;
  const bn = tf.layers.batchNormalization({ name: 'bn' }).apply(padded) as tf.SymbolicTensor;
  const act = tf.layers.activation({ activation: 'relu', name: 'act' }).apply(bn) as tf.SymbolicTensor;
  const flat = tf.layers.flatten({ name: 'flat' }).apply(act) as tf.SymbolicTensor;
  const hidden = tf.layers.dense({ units: 6, activation: 'relu', name: 'hidden' }).apply(flat) as tf.SymbolicTensor;
  const bn2 = tf.layers.batchNormalization({ name: 'bn2' }).apply(hidden) as tf.SymbolicTensor;
  const lin = tf.layers.dense({ units: 6, name: 'lin' }).apply(bn2) as tf.SymbolicTensor;
  const bn3 = tf.layers.batchNormalization({ name: 'bn3' }).apply(lin) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, name: 'out' }).apply(bn3) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out, name: 'convnet' });
}

describe('paramModelFromLayersModel', () => {
  it('maps layers to kinds, weights to parameters with variables, and leaves moving statistics out', () => {
    const model = convNet();
    const pm = paramModelFromLayersModel(model);
    expect(pm.params.map((p) => `${p.name}:${p.moduleKind}:${p.shape.join('x')}`)).toEqual([
      'conv.kernel:Conv2d:3x3x3x4',
      'bn.gamma:BatchNorm2d:4',
      'bn.beta:BatchNorm2d:4',
      'hidden.kernel:Linear:256x6',
      'hidden.bias:Linear:6',
      'bn2.gamma:BatchNorm1d:6',
      'bn2.beta:BatchNorm1d:6',
      'lin.kernel:Linear:6x6',
      'lin.bias:Linear:6',
      'bn3.gamma:BatchNorm1d:6',
      'bn3.beta:BatchNorm1d:6',
      'out.kernel:Linear:6x2',
      'out.bias:Linear:2'
    ]);
    expect(pm.params.every((p) => p.variable instanceof tf.Variable)).toBe(true);
    model.dispose();
  });

  it('marks weights that feed BatchNorm through padding, not through a fused ReLU after a bias', () => {
    const model = convNet();
    const pm = paramModelFromLayersModel(model);
    const feeds = Object.fromEntries(
      pm.params.filter((p) => p.localName === 'kernel').map((p) => [p.name, p.feedsNormalization])
    );
    expect(feeds).toEqual({ 'conv.kernel': true, 'hidden.kernel': false, 'lin.kernel': true, 'out.kernel': false });
    expect(pm.edges).toContainEqual({ from: 'conv', to: 'bn', via: ['pad'] });
    expect(pm.edges).toContainEqual({ from: 'hidden', to: 'bn2', via: ['relu'] });
    model.dispose();
  });

  it('groups and verifies a LayersModel directly; frozen layers are skipped', () => {
    const model = convNet();
    model.getLayer('out').trainable = false;
    const { groups, skipped } = groupParams(model);
    expect(groups.map((g) => [g.label, g.params.map((p) => p.name)])).toEqual([
      ['decay', ['conv.kernel', 'hidden.kernel', 'lin.kernel']],
      ['no_decay', ['bn.gamma', 'bn.beta', 'hidden.bias', 'bn2.gamma', 'bn2.beta', 'lin.bias', 'bn3.gamma', 'bn3.beta']]
    ]);
    expect(skipped.map((s) => s.param.name)).toEqual(['out.kernel', 'out.bias']);
    expect(verifyParamGroups(model, groups).ok).toBe(true);
    model.dispose();
  });

  it('reads a tf.sequential model, and marks nothing when a nested model hides the graph', () => {
    const seq = tf.sequential({
      layers: [
        tf.layers.dense({ inputShape: [4], units: 8, useBias: false, name: 'fc1' }),
        tf.layers.batchNormalization({ name: 'norm1' }),
        tf.layers.reLU({ name: 'relu1' }),
        tf.layers.dense({ units: 2, name: 'fc2' })
      ]
    });
    const pm = paramModelFromLayersModel(seq);
    expect(pm.params.map((p) => `${p.name}:${p.moduleKind}:${p.feedsNormalization}`)).toEqual([
      'fc1.kernel:Linear:true',
      'norm1.gamma:BatchNorm1d:false',
      'norm1.beta:BatchNorm1d:false',
      'fc2.kernel:Linear:false',
      'fc2.bias:Linear:false'
    ]);
    const outer = tf.sequential({ layers: [seq, tf.layers.dense({ units: 1, name: 'head' })] });
    const nested = paramModelFromLayersModel(outer);
    expect(nested.edges).toBeNull();
    expect(nested.params.map((p) => p.name)).toEqual(
      ['fc1.kernel', 'norm1.gamma', 'norm1.beta', 'fc2.kernel', 'fc2.bias', 'head.kernel', 'head.bias'].map((n) =>
        n.startsWith('head') ? n : `${seq.name}.${n}`
      )
    );
    expect(nested.params[0].feedsNormalization).toBeUndefined();
    outer.dispose();
  });
});
