import { isDeepStrictEqual } from 'node:util';
import type { ComparisonOperator } from './ast';

/**
 * Operator semantics of AWS IoT SQL 2016-03-23 on JSON values. `undefined` is the SQL Undefined
 * value: a missing field, or an operation on operands of types the operator does not take. An
 * Undefined result propagates, and a WHERE clause that is not exactly true does not match.
 */

/** `=` and `<>` compare values of the same type; mixed types (or Undefined) give Undefined. */
export function equals(left: unknown, right: unknown): boolean | undefined {
  if (left === undefined || right === undefined) return undefined;
  if (typeOf(left) !== typeOf(right)) return undefined;
  return isDeepStrictEqual(left, right);
}

/** Ordering is numeric: numbers, and strings that read as decimals, as the IoT SQL operator tables describe. */
export function compare(operator: ComparisonOperator, left: unknown, right: unknown): boolean | undefined {
  if (operator === '=') return equals(left, right);
  if (operator === '<>') {
    const equal = equals(left, right);
    return equal === undefined ? undefined : !equal;
  }
  const a = asNumber(left);
  const b = asNumber(right);
  if (a === undefined || b === undefined) return undefined;
  switch (operator) {
    case '<': return a < b;
    case '<=': return a <= b;
    case '>': return a > b;
    case '>=': return a >= b;
  }
}

/** Booleans, and the strings 'true' / 'false' in any case, are the operands AND, OR and NOT take. */
export function asBoolean(value: unknown): boolean | undefined {
  if (typeof value === 'boolean') return value;
  if (typeof value === 'string') {
    const lower = value.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
  }
  return undefined;
}

function asNumber(value: unknown): number | undefined {
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && /^\s*-?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$/.test(value)) return Number(value);
  return undefined;
}

function typeOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  return typeof value;
}
