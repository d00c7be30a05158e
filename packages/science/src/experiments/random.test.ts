import { describe, expect, it } from 'vitest';
import { seededUniform, shuffledIndices } from './random';

describe('seeded shuffling', () => {
  it('the same seed gives the same stream, another seed another one', () => {
    const a = seededUniform(5);
    const b = seededUniform(5);
    const c = seededUniform(6);
    const xs = Array.from({ length: 8 }, () => a());
    expect(Array.from({ length: 8 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 8 }, () => c())).not.toEqual(xs);
    xs.forEach((x) => expect(x >= 0 && x < 1).toBe(true));
  });

  it('shuffledIndices is a permutation and is roughly uniform', () => {
    const uniform = seededUniform(1);
    const firstCounts = new Array(4).fill(0);
    for (let i = 0; i < 4000; i++) {
      const order = shuffledIndices(4, uniform);
      expect([...order].sort()).toEqual([0, 1, 2, 3]);
      firstCounts[order[0]]++;
    }
    firstCounts.forEach((count) => expect(Math.abs(count - 1000)).toBeLessThan(120));
  });

  it('rejects a non-integer seed', () => {
    expect(() => seededUniform(1.5)).toThrow(/seed must be an integer/);
  });
});
