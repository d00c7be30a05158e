/** The update rules whose SIMD loops the WebAssembly module carries: a new rule adds itself here. */
import { adamL2Rule, adamWRule } from './adam';
import { larsRule } from './lars';
import { rmspropRule } from './rmsprop';
import type { UpdateRule } from './rule';
import { radamRule } from './radam';
import { nadamRule } from './nadam';
import { adagradRule } from './adagrad';
import { sgdRule } from './sgd';
import { lionRule } from './lion';
import { lambMomentsRule, lambRule } from './lamb';

export const UPDATE_RULES: ReadonlyArray<UpdateRule<never, unknown>> = [
  sgdRule,
  adamL2Rule,
  adamWRule,
  larsRule,
  rmspropRule,
  adagradRule,
  nadamRule,
  radamRule,
  lionRule,
  lambMomentsRule,
  lambRule
];
