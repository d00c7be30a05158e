/**
 * A small seeded generator for reproducible batch orders (Mulberry32: 32-bit state, fast, good
 * enough for shuffling).
 */
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from '../errors';

/** Returns a function that yields uniform numbers in [0, 1) determined by `seed`. */
export function seededUniform(seed: number): () => number {
  if (!Number.isInteger(seed))
    throw new ScienceError(`seededUniform: seed must be an integer, got ${describeValue(seed)}`);
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A permutation of 0…n−1 (Fisher–Yates) drawn with `uniform`. */
export function shuffledIndices(n: number, uniform: () => number): number[] {
  const order = Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = Math.floor(uniform() * (i + 1));
    [order[i], order[j]] = [order[j], order[i]];
  }
  return order;
}
