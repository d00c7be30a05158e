/** The argument checks of the analyses and experiments, each written once; messages name the argument and its value. */
import { describeValue } from '@paramscope/protocol';
import { ScienceError } from './errors';

/** Throws unless `value` is a finite number > 0. `owner` (a function name) prefixes the message. */
export function requirePositive(name: string, value: number, owner?: string): void {
  if (!Number.isFinite(value) || value <= 0) {
    throw new ScienceError(`${prefix(owner)}${name} must be a positive finite number, got ${describeValue(value)}`);
  }
}

/** Throws unless `value` is a finite number ≥ 0. `owner` (a function name) prefixes the message. */
export function requireNonNegative(name: string, value: number, owner?: string): void {
  if (!Number.isFinite(value) || value < 0) {
    throw new ScienceError(`${prefix(owner)}${name} must be a non-negative finite number, got ${describeValue(value)}`);
  }
}

/** Throws unless the per-entry values and their mean gradients pair up (same length, not empty). */
export function requirePairedGradients(owner: string, values: readonly number[], meanGradients: readonly number[]) {
  if (values.length !== meanGradients.length || values.length === 0) {
    throw new ScienceError(
      `${owner}: values (${values.length}) and meanGradients (${meanGradients.length}) ` +
        'must be equal, non-empty lengths'
    );
  }
}

function prefix(owner: string | undefined): string {
  return owner ? `${owner}: ` : '';
}
