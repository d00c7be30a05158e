/** The update rules whose SIMD loops the WebAssembly module carries: a new rule adds itself here. */
import { adamL2Rule, adamWRule } from './adam';
import { larsRule } from './lars';
import type { UpdateRule } from './rule';
import { sgdRule } from './sgd';

export const UPDATE_RULES: ReadonlyArray<UpdateRule<never, unknown>> = [sgdRule, adamL2Rule, adamWRule, larsRule];
