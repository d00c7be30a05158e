/**
 * The seam between core and `@paramscope/params`: core re-exports every name of params as the
 * same function (one `groupParams`, whichever package it is imported from), and with core loaded
 * those functions read nn modules and TF.js LayersModels.
 */
import * as tf from '@tensorflow/tfjs';
import * as params from '@paramscope/params';
import { beforeAll, describe, expect, it } from 'vitest';
import * as core from '../index';

beforeAll(async () => {
  await tf.setBackend('cpu');
});

describe('core and @paramscope/params', () => {
  it('core re-exports every export of params, as the same object', () => {
    for (const [name, value] of Object.entries(params)) expect(core[name as keyof typeof core], name).toBe(value);
  });

  it('registers nn modules and LayersModels as model sources', () => {
    expect(params.registeredModelSources()).toEqual(['an nn Module', 'a tf.LayersModel']);
    const model = core.nn.bnMlp([4, 8, 2]);
    const { groups } = params.groupParams(model, { weightDecay: 0.1 });
    expect(params.verifyParamGroups(model, groups).verdict).toBe('ok');
    const dense = tf.sequential({ layers: [tf.layers.dense({ units: 2, inputShape: [3] })] });
    expect(params.toParamModel(dense).params.map((p) => p.name)).toEqual(
      core.paramModelFromLayersModel(dense).params.map((p) => p.name)
    );
    expect(() => params.toParamModel(42 as never)).toThrow('expected a ParamModel, an nn Module or a tf.LayersModel');
  });

  it('resolves bare tf.Variables in groups by identity', () => {
    const model = core.nn.bnMlp([4, 8, 2]);
    const info = core.paramModelFromModule(model);
    const variables = info.params.map((p) => p.variable!);
    expect(variables.every((v) => v instanceof tf.Variable && params.isVariableLike(v))).toBe(true);
    const report = core.verifyParamGroups(info, [{ params: variables, weightDecay: 0 }]);
    expect(report.verdict).toBe('ok');
    expect(report.groups[0].tensorCount).toBe(info.params.length);
  });

  it("no longer exports the notebooks' science (now @paramscope/science)", () => {
    for (const name of ['runDecayExperiment', 'batchNormForward', 'runAblation', 'pairedComparison', 'trainDecayArm']) {
      expect(name in core, name).toBe(false);
    }
  });
});
