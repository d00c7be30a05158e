import type { GroupSnapshot } from '@paramscope/protocol';
import { describe, expect, it } from 'vitest';
import { resnet50Params, syntheticParams } from '../test-utils/snapshots';
import { groupRows, matchesFilter, moduleKinds } from './rows';

function group(params = resnet50Params()): GroupSnapshot {
  return { index: 0, hyperparameters: {}, tensorCount: params.length, elementCount: 0, params };
}

describe('rows', () => {
  it('matches the filter text against names, aliases and kinds, case-insensitively', () => {
    const [conv1] = resnet50Params();
    expect(matchesFilter(conv1, { text: 'CONV1', kind: '' })).toBe(true);
    expect(matchesFilter(conv1, { text: 'conv2d', kind: '' })).toBe(true);
    expect(matchesFilter(conv1, { text: 'bn', kind: '' })).toBe(false);
    expect(matchesFilter({ ...conv1, aliases: ['stem.weight'] }, { text: 'stem', kind: '' })).toBe(true);
    expect(matchesFilter(conv1, { text: '', kind: 'BatchNorm2d' })).toBe(false);
  });

  it('pages the matches and counts what the filter and the page hide', () => {
    const view = groupRows(group(), { text: 'bn', kind: '' }, 10);
    expect(view.rows).toHaveLength(10);
    expect(view.matched).toBe(98); // 49 BatchNorm layers named bn*, 2 tensors each
    expect(view.hiddenByFilter).toBe(161 - 98);
    expect(view.notShown).toBe(88);
    // The kind filter also finds the 4 downsample.1 layers.
    expect(groupRows(group(), { text: '', kind: 'BatchNorm2d' }, 10).matched).toBe(106);
  });

  it('adds a revealed member beyond the page', () => {
    const view = groupRows(group(), { text: '', kind: '' }, 5, 'fc.bias');
    expect(view.rows.map((p) => p.name).slice(-1)).toEqual(['fc.bias']);
    expect(view.rows).toHaveLength(6);
    // Positions among the matches (aria-posinset): the revealed member keeps its own.
    expect(view.positions).toEqual([1, 2, 3, 4, 5, 161]);
    const filtered = groupRows(group(), { text: 'conv', kind: '' }, 2, 'fc.bias');
    expect(filtered.positions).toEqual([1, 2, undefined]);
  });

  it('lists module kinds once, sorted', () => {
    expect(moduleKinds([group(syntheticParams(10)), group()])).toEqual([
      'BatchNorm2d',
      'Conv2d',
      'LayerNorm',
      'Linear'
    ]);
  });
});
