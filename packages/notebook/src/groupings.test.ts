import { afterEach, describe, expect, it } from 'vitest';
import { groupsByNameHeuristic, groupsByModuleType, groupParams } from '@paramscope/core';
import { setDisplaySink, type MimeBundle } from './display';
import { compareGroupings, decayByName, groupingCounts, groupingDisagreements } from './groupings';
import { loadReferenceRecipeGroups, loadStructure, structureFixtureNames } from './structures';

const written: MimeBundle[] = [];
setDisplaySink({ write: (bundle) => written.push(bundle) });
afterEach(() => {
  written.length = 0;
});

describe('structure fixtures', () => {
  it('lists and loads the real torchvision models with the recipes PyTorch built', () => {
    expect(structureFixtureNames()).toEqual(expect.arrayContaining(['resnet18', 'resnet50', 'mobilenet_v2']));
    const model = loadStructure('resnet18');
    expect(model.params).toHaveLength(62);
    expect(model.params.filter((p) => p.feedsNormalization)).toHaveLength(20);
    const reference = loadReferenceRecipeGroups('resnet18');
    expect(reference.nameHeuristic.decay).toContain('layer2.0.downsample.1.weight');
    expect(() => loadStructure('resnet19')).toThrow(
      /no structure fixture resnet19\.json; available models: .*resnet18/
    );
  });
});

describe('grouping comparison', () => {
  const model = loadStructure('resnet18');
  const groupings = {
    name: groupsByNameHeuristic(model),
    kind: groupsByModuleType(model),
    structural: groupParams(model).groups
  };

  it('finds the downsample.1 γ tensors as the only disagreements between name and kind tests', () => {
    expect(groupingDisagreements(model, groupings).map((row) => row[0])).toEqual([
      'layer2.0.downsample.1.weight',
      'layer3.0.downsample.1.weight',
      'layer4.0.downsample.1.weight'
    ]);
    expect(groupingDisagreements(model, groupings)[0]).toEqual([
      'layer2.0.downsample.1.weight',
      'BatchNorm2d',
      'decay',
      '–',
      '–'
    ]);
  });

  it('counts tensors and values with and without decay, and trainable tensors in no group', () => {
    const [name] = groupingCounts(model, { name: groupings.name });
    expect(name).toEqual(['name', 24, 11679808, 38, 9704, 0]);
    const partial = [{ ...groupings.structural[0] }];
    expect(groupingCounts(model, { partial })[0][5]).toBe(groupings.structural[1].params.length);
    expect(decayByName(model, partial).size).toBe(groupings.structural[0].params.length);
  });

  it('shows two tables and rejects an unknown grouping name', () => {
    compareGroupings(model, groupings, ['name', 'kind']);
    expect(written).toHaveLength(2);
    expect(String(written[1]['text/plain'])).toContain('3 tensors on whose decay name, kind disagree');
    expect(() => compareGroupings(model, groupings, ['nope'])).toThrow('compareGroupings: no grouping named "nope"');
    expect(() => decayByName(model, [{ params: [{ name: 'fc.nope' }], weightDecay: 1 }])).toThrow(/does not name/);
  });
});
