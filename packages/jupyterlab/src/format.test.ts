import { describe, expect, it } from 'vitest';
import { formatCount, formatNumber, formatShape, hyperparameterPairs } from './format';

describe('format', () => {
  it('writes numbers as users write hyperparameters', () => {
    expect(formatNumber(1e-4)).toBe('1e-4');
    expect(formatNumber(2.5e-5)).toBe('2.5e-5');
    expect(formatNumber(123456)).toBe('1.235e5');
    expect(formatNumber(0.1)).toBe('0.1');
    expect(formatNumber(3.14159)).toBe('3.142');
    expect(formatNumber(null)).toBe('—');
    expect(formatCount(25_557_032)).toBe('25.6M');
    expect(formatCount(1728)).toBe('1728');
    expect(formatShape([])).toBe('scalar');
    expect(formatShape([64, 3, 7, 7])).toBe('64×3×7×7');
  });

  it('lists the well-known hyperparameters first', () => {
    expect(
      hyperparameterPairs({ eps: 1e-8, betas: [0.9, 0.999], weightDecay: 0.01, lr: 1e-3, layerAdaptation: false })
    ).toEqual([
      ['lr', '0.001'],
      ['weight decay', '0.01'],
      ['betas', '(0.9, 0.999)'],
      ['LARS adaptation', 'false'],
      ['eps', '1e-8']
    ]);
  });
});
