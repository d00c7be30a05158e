/**
 * The pass over a gradient before any update, as programs like the update rules': Σ g² (which
 * doubles as the NaN/Infinity check) and, for rules with a trust ratio, Σ w² and Σ (g + λw)².
 */
import { variantFor, type ElementProgram } from './program';
import type { UpdateKernel } from './rule';
import { scalarKernelOf } from './scalar-kernel';

/** The measuring pass's one scalar: the group's weight decay λ. */
export interface MeasureScalars {
  weightDecay: number;
}

/** Σ g². */
export const sumOfSquaresProgram: ElementProgram<MeasureScalars> = {
  name: 'sumsq',
  optional: {},
  switches: [],
  unroll: 4, // little else to do: four sum chains hide the add's latency
  body: (x) => ({ stores: [], sums: [x.mul(x.grad, x.grad)] })
};

/** Σ g², Σ w², Σ (g + λw)². */
export const normsProgram: ElementProgram<MeasureScalars> = {
  name: 'norms',
  optional: {},
  switches: [],
  unroll: 4,
  body(x) {
    const decayed = x.f32(x.add(x.grad, x.mul(x.scalar('weightDecay'), x.param)));
    return { stores: [], sums: [x.mul(x.grad, x.grad), x.mul(x.param, x.param), x.mul(decayed, decayed)] };
  }
};

/** The measuring programs (they store nothing), for the SIMD module. */
export const MEASURE_PROGRAMS = [sumOfSquaresProgram, normsProgram];

/** The SIMD call of the measuring pass. */
export function measureCall(weightDecay: number, withNorms: boolean): { fn: string; args: number[] } {
  return withNorms ? { fn: normsProgram.name, args: [weightDecay] } : { fn: sumOfSquaresProgram.name, args: [] };
}

/**
 * The pass's scalar loop (on `[]` slots, scalars `{ weightDecay }`): adds Σ g² to `out[0]` and,
 * with `withNorms`, Σ w² and Σ (g + λw)² to `out[1]`, `out[2]`.
 */
export function measureKernel(withNorms: boolean): UpdateKernel<MeasureScalars> {
  const program = withNorms ? normsProgram : sumOfSquaresProgram;
  return scalarKernelOf(variantFor(program, {}));
}
