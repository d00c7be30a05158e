import { describe, expect, it } from 'vitest';
import { messageWithNames, paramNameNode, splitName } from './param-name';

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
    // Read whole from the title by CSS (::before), not as two pieces.
    expect([...node.children].map((part) => part.getAttribute('aria-hidden'))).toEqual(['true', 'true']);
  });

  it('tells CSS the tail’s length in characters, to cut the head at a whole character', () => {
    expect(paramNameNode('layer2.0.downsample.1.weight').style.getPropertyValue('--jp-Paramscope-tail')).toBe('8');
    expect(paramNameNode('scale').style.getPropertyValue('--jp-Paramscope-tail')).toBe('5');
  });

  it('makes the names in a message breakable after dots and underscores, text unchanged', () => {
    const message = 'layer1.0.bn1.weight (BatchNorm2d) and layer1.0.bn1.weight_extra are in group 0';
    const node = document.createElement('p');
    node.appendChild(messageWithNames(message, ['layer1.0.bn1.weight', 'layer1.0.bn1.weight_extra', '']));
    expect(node.textContent).toBe(message);
    const names = [...node.querySelectorAll('.jp-Paramscope-msgName')];
    // The longer name wins where both match; each name breaks only at its separators.
    expect(names.map((n) => n.textContent)).toEqual(['layer1.0.bn1.weight', 'layer1.0.bn1.weight_extra']);
    expect(names.map((n) => n.querySelectorAll('wbr').length)).toEqual([3, 4]);
    expect(node.innerHTML).toContain('layer1.<wbr>0.<wbr>bn1.<wbr>weight_<wbr>extra');
  });
});
