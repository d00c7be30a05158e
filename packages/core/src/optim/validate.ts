/** Checks of hyperparameter values, with messages that name the optimizer, the group and the field. */
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

/** Thrown for bad optimizer or scheduler input; the optimizer is left as it was. A {@link CoreError}. */
export class OptimizerError extends CoreError {
  override name = 'OptimizerError';
}

/** Describes where a value sits: `"group 1"`, `"defaults"`, … */
export type Where = string;

export function requireNumber(value: unknown, field: string, where: Where, owner: string): number {
  if (typeof value !== 'number' || Number.isNaN(value)) {
    throw new OptimizerError(`${owner}: ${field} in ${where} must be a number, got ${describeValue(value)}`);
  }
  return value;
}

export function requireNonNegative(value: unknown, field: string, where: Where, owner: string): number {
  const n = requireNumber(value, field, where, owner);
  if (n < 0 || !Number.isFinite(n)) {
    throw new OptimizerError(`${owner}: invalid ${field} ${n} in ${where} (must be finite and ≥ 0)`);
  }
  return n;
}

export function requireBoolean(value: unknown, field: string, where: Where, owner: string): boolean {
  if (typeof value !== 'boolean') {
    throw new OptimizerError(`${owner}: ${field} in ${where} must be true or false, got ${describeValue(value)}`);
  }
  return value;
}

/** A fraction in [0, 1): betas, as PyTorch checks them. */
export function requireUnitInterval(value: unknown, field: string, where: Where, owner: string): number {
  const n = requireNumber(value, field, where, owner);
  if (!(n >= 0 && n < 1)) throw new OptimizerError(`${owner}: invalid ${field} ${n} in ${where} (must be in [0, 1))`);
  return n;
}

/** `[beta1, beta2]`, each in [0, 1) (Adam's family, Lion). */
export function requireBetas(value: unknown, where: Where, owner: string): [number, number] {
  if (!Array.isArray(value) || value.length !== 2) {
    throw new OptimizerError(`${owner}: betas in ${where} must be [beta1, beta2], got ${describeValue(value)}`);
  }
  return [
    requireUnitInterval(value[0], 'beta1 (betas[0])', where, owner),
    requireUnitInterval(value[1], 'beta2 (betas[1])', where, owner)
  ];
}
