/**
 * A tiny structural checker: each checker looks at one value and reports problems with the JSON
 * path that leads to it, so a message says exactly which field of which entry is wrong.
 */

import { describeValue } from './describe-value';

/** One problem found in a value, at a JSON path like `$.entries[0].groups[2].params[1].shape`. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export type Checker = (value: unknown, path: string, issues: ValidationIssue[]) => void;

function expect(ok: boolean, what: string): Checker {
  return (value, path, issues) => {
    if (!ok) issues.push({ path, message: `expected ${what}, got ${describeValue(value)}` });
  };
}

export const isString: Checker = (v, p, i) => expect(typeof v === 'string', 'a string')(v, p, i);
export const isBoolean: Checker = (v, p, i) => expect(typeof v === 'boolean', 'a boolean')(v, p, i);
/** A number; JSON cannot carry NaN or ±Infinity, so `null` stands for "not a finite number". */
export const isNumber: Checker = (v, p, i) =>
  expect(typeof v === 'number' && Number.isFinite(v), 'a finite number')(v, p, i);
export const isCount: Checker = (v, p, i) =>
  expect(typeof v === 'number' && Number.isInteger(v) && v >= 0, 'a non-negative integer')(v, p, i);
export const isNull: Checker = (v, p, i) => expect(v === null, 'null')(v, p, i);
export const isNumberOrNull: Checker = (v, p, i) => (v === null ? undefined : isNumber(v, p, i));

export function literal(...allowed: readonly (string | number)[]): Checker {
  return (v, p, i) =>
    expect(allowed.includes(v as string | number), `one of ${allowed.map((a) => JSON.stringify(a)).join(', ')}`)(
      v,
      p,
      i
    );
}

export function arrayOf(item: Checker): Checker {
  return (value, path, issues) => {
    if (!Array.isArray(value)) {
      issues.push({ path, message: `expected an array, got ${describeValue(value)}` });
      return;
    }
    value.forEach((v, k) => item(v, `${path}[${k}]`, issues));
  };
}

export function oneOf(what: string, ...checkers: Checker[]): Checker {
  return (value, path, issues) => {
    for (const check of checkers) {
      const local: ValidationIssue[] = [];
      check(value, path, local);
      if (local.length === 0) return;
    }
    issues.push({ path, message: `expected ${what}, got ${describeValue(value)}` });
  };
}

export function recordOf(item: Checker): Checker {
  return (value, path, issues) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ path, message: `expected an object, got ${describeValue(value)}` });
      return;
    }
    for (const [key, v] of Object.entries(value)) item(v, `${path}.${key}`, issues);
  };
}

/** An object with required and optional fields; unknown fields are allowed (forward compatible). */
export function object(required: Record<string, Checker>, optional: Record<string, Checker> = {}): Checker {
  return (value, path, issues) => {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      issues.push({ path, message: `expected an object, got ${describeValue(value)}` });
      return;
    }
    const record = value as Record<string, unknown>;
    for (const [key, check] of Object.entries(required)) {
      if (!(key in record)) issues.push({ path: `${path}.${key}`, message: 'missing required field' });
      else check(record[key], `${path}.${key}`, issues);
    }
    for (const [key, check] of Object.entries(optional)) {
      if (record[key] !== undefined) check(record[key], `${path}.${key}`, issues);
    }
  };
}
