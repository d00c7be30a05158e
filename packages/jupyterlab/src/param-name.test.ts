import { describe, expect, it } from 'vitest';
import { paramNameNode, splitName } from './param-name';

describe('parameter names', () => {
  it('keeps the last segments whole and lets the head be elided', () => {
    expect(splitName('layer2.0.downsample.1.weight')).toEqual({ head: 'layer2.0.downsample.', tail: '1.weight' });
    expect(splitName('fc.weight')).toEqual({ head: 'fc.', tail: 'weight' });
    expect(splitName('encoder.layers.0.self_attention.in_proj_weight')).toEqual({
      head: 'encoder.layers.0.self_attention.',
      tail: 'in_proj_weight'
    });
    expect(splitName('scale')).toEqual({ head: '', tail: 'scale' });
  });

  it('keeps the whole name in the text and the title', () => {
    const node = paramNameNode('layer2.0.downsample.1.weight');
    expect(node.textContent).toBe('layer2.0.downsample.1.weight');
    expect(node.title).toBe('layer2.0.downsample.1.weight');
  });
});
