/** The model-source seam: ParamModels as they are, other kinds through registered adapters. */
import { describe, expect, it } from 'vitest';
import { groupParams } from '../grouping';
import { ParamsError } from '../errors';
import { paramModelFromStructure } from '../structure';
import { verifyParamGroups } from '../verify';
import { registerModelSource, registeredModelSources, toParamModel } from './source';
import type { ParamModel } from './types';

const structure = {
  format: 'paramscope-structure',
  version: 2,
  model: 'tiny',
  generator: 'test',
  modules: [
    { path: '', kind: 'Sequential', params: [] },
    {
      path: '0',
      kind: 'Linear',
      classPath: 'torch.nn.modules.linear.Linear',
      params: [
        { name: 'weight', shape: [4, 3] },
        { name: 'bias', shape: [4] }
      ]
    },
    {
      path: '1',
      kind: 'LayerNorm',
      classPath: 'torch.nn.modules.normalization.LayerNorm',
      normalization: { hierarchy: 'LayerNorm' },
      params: [
        { name: 'weight', shape: [4] },
        { name: 'bias', shape: [4] }
      ]
    }
  ],
  edges: null
};

describe('toParamModel', () => {
  it('returns a ParamModel as it is and rejects a name given twice', () => {
    const model = paramModelFromStructure(structure);
    expect(toParamModel(model)).toBe(model);
    const twice: ParamModel = {
      ...model,
      params: [model.params[0], { ...model.params[1], name: model.params[0].name }]
    };
    expect(() => toParamModel(twice)).toThrow(/parameter "0.weight" is given twice/);
  });

  it('rejects anything else, saying what it takes', () => {
    expect(() => toParamModel({} as ParamModel)).toThrow(ParamsError);
    expect(() => toParamModel(new Map() as unknown as ParamModel)).toThrow(/^expected a ParamModel.*, got a Map/);
  });

  it('reads a registered kind of model in groupParams and verifyParamGroups alike', () => {
    class Holder {
      constructor(readonly model: ParamModel) {}
    }
    registerModelSource({
      name: 'a test Holder',
      accepts: (v) => v instanceof Holder,
      toParamModel: (v) => (v as Holder).model
    });
    expect(registeredModelSources()).toContain('a test Holder');
    const holder = new Holder(paramModelFromStructure(structure)) as unknown as ParamModel;
    const { groups } = groupParams(holder, { weightDecay: 0.1 });
    expect(groups.map((g) => [g.label, g.params.map((p) => p.name)])).toEqual([
      ['decay', ['0.weight']],
      ['no_decay', ['0.bias', '1.weight', '1.bias']]
    ]);
    expect(verifyParamGroups(holder, groups).verdict).toBe('ok');
    expect(() => toParamModel(42 as unknown as ParamModel)).toThrow(/expected a ParamModel(, .*)* or a test Holder/);
  });
});
