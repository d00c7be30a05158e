import type { ParamModel } from '@paramscope/core';
import { describe, expect, it } from 'vitest';
import { describeGroups, describeMember, paramLookup } from './describe';

const info = (name: string, moduleKind: string, aliases: string[] = []) => ({
  name,
  aliases,
  shape: [2],
  size: 2,
  trainable: true,
  modulePath: name.slice(0, name.lastIndexOf('.')),
  moduleKind,
  localName: 'weight'
});

describe('paramLookup', () => {
  it("finds parameters by name and alias, the first in the model's order winning, as a scan would", () => {
    const tied = info('encoder.weight', 'Embedding', ['decoder.weight']);
    const later = info('decoder.weight', 'Linear');
    const model = {
      name: 'tied',
      source: 'nn',
      params: [tied, later],
      modules: [],
      graphKnown: false
    } as unknown as ParamModel;
    const lookup = paramLookup(model);
    expect(lookup('encoder.weight')).toBe(tied);
    expect(lookup('decoder.weight')).toBe(tied);
    expect(lookup('missing')).toBeUndefined();
    expect(paramLookup(undefined)('encoder.weight')).toBeUndefined();
    expect(describeMember({ name: 'decoder.weight', shape: [2] }, 'params[0]', model).moduleKind).toBe('Embedding');
  });

  it('describes 10,000 members against a 10,000-parameter model, each with its module kind', () => {
    const params = Array.from({ length: 10_000 }, (_, k) =>
      info(`blocks.${k >> 1}.${k % 2 ? 'norm' : 'linear'}.weight`, k % 2 ? 'LayerNorm' : 'Linear')
    );
    const model = {
      name: 'many',
      source: 'structure',
      params,
      modules: [],
      graphKnown: false
    } as unknown as ParamModel;
    const groups = describeGroups([{ params: params.map((p) => ({ name: p.name, shape: p.shape })) }], model);
    expect(groups[0].members).toHaveLength(10_000);
    expect(groups[0].members.filter((m) => m.moduleKind === 'LayerNorm')).toHaveLength(5_000);
  });
});
