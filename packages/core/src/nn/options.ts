/**
 * Constructor arguments with PyTorch's names. The modules' option types accept the arguments of
 * the PyTorch constructor they mirror, so code written from PyTorch habit type-checks; a value this
 * package does not implement is an error that names the argument and says what is supported,
 * instead of being ignored or failing on a type far from the cause.
 */
import { misspelledKey } from '../optim/keys';
import { describeValue } from '@paramscope/protocol';
import { CoreError } from '../errors';

/** PyTorch's factory arguments, which every module with parameters accepts. */
export interface FactoryOptions {
  /**
   * PyTorch's `device`: not supported, TF.js keeps every tensor on its active backend (choose it
   * with `tf.setBackend`, or `useBestBackend()` from `@paramscope/notebook`).
   */
  device?: string;
  /** PyTorch's `dtype`: only `'float32'` (TF.js's floating-point type). */
  dtype?: string;
}

const FACTORY_KEYS = ['device', 'dtype'] as const;

/** A constructor argument whose value is not implemented: the message names both and what is. */
export function unsupported(kind: string, argument: string, value: unknown, supported: string): never {
  throw new CoreError(`${kind}: ${argument} = ${describeValue(value)} is not supported; ${supported}`);
}

/**
 * Checks an options object: it must be an object (not PyTorch's next positional argument), every
 * key one of `known` or a factory argument (an unknown key suggests the name meant: `padding_mode`
 * → `paddingMode`), and the factory arguments at values TF.js has. `position` says which argument
 * the options are (`'4th'`).
 */
export function checkOptions(kind: string, options: unknown, known: readonly string[], position: string): void {
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null || Array.isArray(options)) {
    throw new CoreError(
      `${kind}: the ${position} argument takes options by name ({ ${known.join(', ')} }), got ${describeValue(options)}`
    );
  }
  const allowed = [...known, ...FACTORY_KEYS];
  for (const key of Object.keys(options)) {
    if (allowed.includes(key)) continue;
    const meant = misspelledKey(key, allowed);
    const hint = meant !== undefined ? `did you mean ${meant}?` : `${kind} takes ${allowed.join(', ')}`;
    throw new CoreError(`${kind}: unknown option ${describeValue(key)}; ${hint}`);
  }
  const { device, dtype } = options as FactoryOptions;
  if (device !== undefined) {
    unsupported(kind, 'device', device, 'TF.js keeps tensors on its active backend (tf.setBackend, useBestBackend)');
  }
  if (dtype !== undefined && dtype !== 'float32') unsupported(kind, 'dtype', dtype, "only 'float32' is");
}

/**
 * A size PyTorch accepts as an int or a pair (`kernel_size=3` or `(3, 3)`): the single value when
 * both entries agree. `what` says what the pair's entries are (`'a square kernel'`).
 */
export function squarePair(kind: string, argument: string, value: number | readonly number[], what: string): number {
  if (typeof value === 'number') return value;
  if (value.length === 2 && value[0] === value[1]) return value[0];
  return unsupported(kind, argument, value, `only ${what}: one number, or a pair of equal numbers`);
}
