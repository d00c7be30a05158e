/**
 * The part every Adam-family program (Adam/AdamW, NAdam, RAdam) shares, in torch's order:
 * decoupled decay of w, the gradient with its sign and coupled L2 term, then both moments.
 */
import type { Builder, Value } from './program';

/** The scalars the shared part reads; each program's scalars include them. */
export interface AdamMomentScalars {
  oneMinusBeta1: number;
  beta2: number;
  oneMinusBeta2: number;
  /** λ of the coupled L2 term (0 when decoupled). */
  l2: number;
  /** w's factor before the update: 1 − η·λ when decoupled, else 1. */
  decayFactor: number;
  gradSign: number;
}

/** The values the shared part leaves for the program's own step. */
export interface AdamMoments {
  /** The weight before decay (Σ Δw² is taken against it). */
  w0: Value;
  /** The weight after decoupled decay (rounded to float32, as torch stores it). */
  w: Value;
  g: Value;
  /** m ← m + (1 − β₁)(g − m), from slot 0. */
  m: Value;
  /** v ← β₂v + (1 − β₂)g², from slot 1. */
  v: Value;
}

/** w ← w·decay; g ← ±∇ + l2·w; m ← m + (1 − β₁)(g − m); v ← β₂v + (1 − β₂)g². */
export function adamMoments<S extends AdamMomentScalars>(builder: Builder<S>): AdamMoments {
  // S has every key read here; TypeScript cannot see that through NumericKey<S> of a generic S.
  const x = builder as unknown as Builder<AdamMomentScalars>;
  const w0 = x.param;
  const w = x.on('decayFactor') ? x.f32(x.mul(w0, x.scalar('decayFactor'))) : w0;
  const g = x.plusScaled(x.scaled('gradSign', x.grad), 'l2', w);
  const m0 = x.slot(0);
  const m = x.add(m0, x.mul(x.scalar('oneMinusBeta1'), x.sub(g, m0)));
  const v = x.add(x.mul(x.scalar('beta2'), x.slot(1)), x.mul(x.mul(x.scalar('oneMinusBeta2'), g), g));
  return { w0, w, g, m, v };
}
