/** Checks of hyperparameter values that name what is wrong. */

import { describeValue } from '@paramscope/protocol';
import { ParamsError } from '../errors';

/** Throws a {@link ParamsError} naming `what` unless `value` is a finite number ≥ 0. */
export function checkNonNegative(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new ParamsError(`${what} must be a finite number ≥ 0, got ${describeValue(value)}`);
  }
  return value;
}
