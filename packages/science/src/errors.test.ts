import { describe, expect, it } from 'vitest';
import { ScienceError, effectiveLearningRate, linearFit, pairedComparison, seededUniform } from './index';

describe('ScienceError', () => {
  it('is what science throws for bad input, naming the value', () => {
    expect(() => seededUniform(1.5)).toThrow(ScienceError);
    expect(() => seededUniform('7' as unknown as number)).toThrow('seededUniform: seed must be an integer, got "7"');
    expect(() => linearFit([1], [2])).toThrow(ScienceError);
    expect(() => pairedComparison([1, 2, 3], [1, 2], 'x' as never)).toThrow(ScienceError);
    expect(() => effectiveLearningRate(-1, 0)).toThrow(ScienceError);
  });
});
