/** Checks of hyperparameter values that name what is wrong. */

/** Throws a RangeError naming `what` unless `value` is a finite number ≥ 0. */
export function checkNonNegative(what: string, value: unknown): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value < 0) {
    throw new RangeError(`${what} must be a finite number ≥ 0, got ${String(value)}`);
  }
  return value;
}
