/**
 * The one way paramscope's packages show an offending value in an error message.
 */

/** Strings longer than this are cut (with `…`) so a message stays one readable line. */
const MAX_STRING = 80;
/** Arrays of up to this many primitive items are listed; longer or nested ones are counted. */
const MAX_LISTED_ITEMS = 8;

function isPrimitive(value: unknown): boolean {
  return value === null || (typeof value !== 'object' && typeof value !== 'function');
}

function primitive(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (typeof value === 'string')
    return JSON.stringify(value.length > MAX_STRING ? `${value.slice(0, MAX_STRING)}…` : value);
  if (typeof value === 'number') return Object.is(value, -0) ? '-0' : String(value);
  if (typeof value === 'symbol')
    return value.description === undefined ? 'a symbol' : `a symbol (${value.description})`;
  return String(value); // boolean, bigint
}

/**
 * The name of the class an object was made by, or `undefined` for a plain object (or one whose
 * class cannot be read).
 */
function className(value: object): string | undefined {
  try {
    const proto: unknown = Object.getPrototypeOf(value);
    if (proto === null || proto === Object.prototype) return undefined;
    const ctor: unknown = (proto as { constructor?: unknown }).constructor;
    const name: unknown = typeof ctor === 'function' ? ctor.name : undefined;
    return typeof name === 'string' && name !== '' && name !== 'Object' ? name : undefined;
  } catch {
    return undefined; // a Proxy whose traps throw
  }
}

/**
 * Describes a value for an error message (`…, got ${describeValue(value)}`), short and without
 * calling anything on the value (never its `toString`, which for a tensor prints every element):
 *
 * | value | text |
 * |---|---|
 * | `undefined` | `nothing` |
 * | `null` | `null` |
 * | a string | JSON-quoted, cut at 80 characters with `…`: `"sixty-four"` |
 * | a number, boolean or bigint | as text: `42`, `-1`, `NaN`, `Infinity`, `-0`, `true` |
 * | an array of up to 8 primitives | its items, each shown this way: `[1, "a", null]` |
 * | a longer or nested array | `an array of 12 items` |
 * | a plain object | `an object` |
 * | an instance of a class | its class's name: `a Map`, `a Variable`, `an Int32Array` |
 * | a function | `a function` |
 *
 * @param value - Anything a caller passed.
 * @returns A short phrase that fits after "got".
 */
export function describeValue(value: unknown): string {
  if (typeof value === 'function') return 'a function';
  if (isPrimitive(value)) return primitive(value);
  if (Array.isArray(value)) {
    const n = value.length;
    if (n <= MAX_LISTED_ITEMS) {
      const items: unknown[] = [];
      for (let i = 0; i < n; i += 1) items.push(value[i]);
      if (items.every(isPrimitive)) return `[${items.map(primitive).join(', ')}]`;
    }
    return `an array of ${n} ${n === 1 ? 'item' : 'items'}`;
  }
  const name = className(value as object);
  if (name === undefined) return 'an object';
  return `${/^[AEIOU]/.test(name) ? 'an' : 'a'} ${name}`;
}
