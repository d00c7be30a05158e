import { describe, expect, it } from 'vitest';
import { requireNonNegative, requirePairedGradients, requirePositive } from './checks';
import { ScienceError } from './errors';

describe('argument checks', () => {
  it('accept what they promise and name the argument, its owner and its value otherwise', () => {
    expect(() => requirePositive('lr', 0.1)).not.toThrow();
    expect(() => requireNonNegative('eps', 0)).not.toThrow();
    expect(() => requirePositive('lr', 0)).toThrow(new ScienceError('lr must be a positive finite number, got 0'));
    expect(() => requireNonNegative('eps', -1, 'batchNormForward')).toThrow(
      'batchNormForward: eps must be a non-negative finite number, got -1'
    );
    expect(() => requirePositive('lr', Number.NaN)).toThrow(ScienceError);
    expect(() => requireNonNegative('norm', Infinity)).toThrow('got Infinity');
  });

  it('pair values with their mean gradients', () => {
    expect(() => requirePairedGradients('f', [1, 2], [0.1, 0.2])).not.toThrow();
    expect(() => requirePairedGradients('f', [1], [])).toThrow(
      'f: values (1) and meanGradients (0) must be equal, non-empty lengths'
    );
    expect(() => requirePairedGradients('f', [], [])).toThrow(ScienceError);
  });
});
