import { invalidField } from '../http/client-error';

/** Field readers for request bodies: each throws a 400 that names the field. */

/** A key a caller chose, as a message names it: as it is when it reads as a name, else quoted as JSON (so '' or a newline still shows). */
export function fieldPath(path: string, key: string): string {
  if (/^[A-Za-z0-9_.,@/:#-]{1,128}$/.test(key)) return path + key;
  return path + JSON.stringify(key.length > 64 ? `${key.slice(0, 64)}...` : key);
}

export function rejectUnknownFields(object: Record<string, unknown>, allowed: readonly string[], path = ''): void {
  for (const key of Object.keys(object)) {
    if (!allowed.includes(key)) {
      throw invalidField(fieldPath(path, key), `unknown field; allowed fields are ${allowed.join(', ')}`);
    }
  }
}

export function optionalString(
  object: Record<string, unknown>,
  field: string,
  options: { path?: string; maxLength?: number; pattern?: RegExp; patternHint?: string } = {},
): string | undefined {
  const value = object[field];
  if (value === undefined) return undefined;
  const name = (options.path ?? '') + field;
  if (typeof value !== 'string' || value.length === 0) throw invalidField(name, 'must be a non-empty string');
  if (options.maxLength !== undefined && value.length > options.maxLength) {
    throw invalidField(name, `must be at most ${options.maxLength} characters`);
  }
  if (options.pattern && !options.pattern.test(value)) {
    throw invalidField(name, options.patternHint ?? `must match ${options.pattern.source}`);
  }
  return value;
}

export function optionalEnum<T extends string>(
  object: Record<string, unknown>,
  field: string,
  allowed: readonly T[],
): T | undefined {
  const value = object[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidField(field, `must be one of ${allowed.join(', ')}`);
  }
  return value as T;
}

export function optionalInteger(
  object: Record<string, unknown>,
  field: string,
  range: { min: number; max: number },
): number | undefined {
  const value = object[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < range.min || value > range.max) {
    throw invalidField(field, `must be an integer from ${range.min} to ${range.max}`);
  }
  return value;
}

export function optionalObject(object: Record<string, unknown>, field: string): Record<string, unknown> | undefined {
  const value = object[field];
  if (value === undefined) return undefined;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw invalidField(field, 'must be a JSON object');
  }
  return value as Record<string, unknown>;
}
