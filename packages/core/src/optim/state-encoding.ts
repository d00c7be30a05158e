/**
 * Float32 values of state dicts in JSON-safe form. JSON has no NaN or ±Infinity (`JSON.stringify`
 * writes `null` for them), yet optimizer state legitimately holds them: Adam's second moment after
 * a 1e30 gradient is Infinity in float32. A state dict therefore writes those three values as the
 * strings `"NaN"`, `"Infinity"` and `"-Infinity"` (JavaScript's `String(x)` of them, and the names
 * Python's `json` module uses), and every other value as a plain number, exact for float32.
 * Loading accepts those strings and numbers, including NaN and ±Infinity as numbers (a state dict
 * handed over without JSON). `null` is refused: it is what `JSON.stringify` makes of a non-finite
 * number written as a number, so the value it stood for is lost.
 */

/** A float32 value in a state dict: a number, or one of the names of the non-finite values. */
export type EncodedFloat = number | 'NaN' | 'Infinity' | '-Infinity';

const NON_FINITE = new Map<unknown, number>([
  ['NaN', NaN],
  ['Infinity', Infinity],
  ['-Infinity', -Infinity]
]);

/** The values of a float32 array for a state dict (non-finite ones by name). */
export function encodeFloats(values: Float32Array): EncodedFloat[] {
  const encoded: EncodedFloat[] = new Array(values.length);
  for (let i = 0; i < values.length; i++) {
    const v = values[i];
    encoded[i] = Number.isFinite(v) ? v : (String(v) as EncodedFloat);
  }
  return encoded;
}

/** The number a state dict's value stands for, or undefined when it is not one (see the module doc). */
export function decodeFloat(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  return NON_FINITE.get(value);
}
