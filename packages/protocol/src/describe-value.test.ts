import { describe, expect, it } from 'vitest';
import { describeValue } from './describe-value';

describe('describeValue', () => {
  it('shows undefined as nothing and null as null', () => {
    expect(describeValue(undefined)).toBe('nothing');
    expect(describeValue(null)).toBe('null');
  });

  it('quotes strings as JSON and cuts them at 80 characters', () => {
    expect(describeValue('sixty-four')).toBe('"sixty-four"');
    expect(describeValue('')).toBe('""');
    expect(describeValue('say "hi"\n')).toBe('"say \\"hi\\"\\n"');
    expect(describeValue('x'.repeat(80))).toBe(`"${'x'.repeat(80)}"`);
    expect(describeValue('x'.repeat(81))).toBe(`"${'x'.repeat(80)}…"`);
  });

  it('shows numbers, booleans and bigints as text', () => {
    expect(describeValue(42)).toBe('42');
    expect(describeValue(-1)).toBe('-1');
    expect(describeValue(1.5)).toBe('1.5');
    expect(describeValue(-0)).toBe('-0');
    expect(describeValue(NaN)).toBe('NaN');
    expect(describeValue(Infinity)).toBe('Infinity');
    expect(describeValue(-Infinity)).toBe('-Infinity');
    expect(describeValue(true)).toBe('true');
    expect(describeValue(false)).toBe('false');
    expect(describeValue(10n)).toBe('10');
  });

  it('shows symbols by their description', () => {
    expect(describeValue(Symbol('tag'))).toBe('a symbol (tag)');
    expect(describeValue(Symbol())).toBe('a symbol');
  });

  it('lists short arrays of primitives, counts longer or nested ones', () => {
    expect(describeValue([])).toBe('[]');
    expect(describeValue([1, 2])).toBe('[1, 2]');
    expect(describeValue(['a', null, undefined, NaN])).toBe('["a", null, nothing, NaN]');
    expect(describeValue([1, 2, 3, 4, 5, 6, 7, 8])).toBe('[1, 2, 3, 4, 5, 6, 7, 8]');
    expect(describeValue([1, 2, 3, 4, 5, 6, 7, 8, 9])).toBe('an array of 9 items');
    expect(describeValue([[1]])).toBe('an array of 1 item');
    expect(describeValue([1, {}])).toBe('an array of 2 items');
    expect(describeValue(new Array(3))).toBe('[nothing, nothing, nothing]');
  });

  it('shows plain objects as an object', () => {
    expect(describeValue({})).toBe('an object');
    expect(describeValue({ toString: () => 'hidden' })).toBe('an object');
    expect(describeValue(Object.create(null))).toBe('an object');
  });

  it('names the class of an instance, never calling its toString', () => {
    class Tensor {
      toString(): string {
        throw new Error('toString must not be called');
      }
    }
    class Variable extends Tensor {}
    expect(describeValue(new Map())).toBe('a Map');
    expect(describeValue(new Set([1]))).toBe('a Set');
    expect(describeValue(new Tensor())).toBe('a Tensor');
    expect(describeValue(new Variable())).toBe('a Variable');
    expect(describeValue(new Int32Array(2))).toBe('an Int32Array');
    expect(describeValue(new Error('x'))).toBe('an Error');
    expect(describeValue(new Date(0))).toBe('a Date');
  });

  it('shows functions and classes as a function', () => {
    expect(describeValue(() => 1)).toBe('a function');
    expect(describeValue(Map)).toBe('a function');
  });

  it('does not throw for a Proxy whose traps throw', () => {
    const hostile = new Proxy(
      {},
      {
        getPrototypeOf() {
          throw new Error('trap');
        }
      }
    );
    expect(describeValue(hostile)).toBe('an object');
  });
});
