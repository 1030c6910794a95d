/**
 * `$context.error.validationErrorString` in the style API Gateway writes it: a bracketed, comma-separated
 * list of readable sentences with double quotes escaped, so a template may embed it inside a JSON string.
 */
import type { ErrorObject } from 'ajv';

export function validationErrorString(errors: readonly ErrorObject[]): string {
  return `[${errors.map(describe).join(', ')}]`;
}

/** For a body that is not JSON at all. */
export function invalidJsonErrorString(reason: string): string {
  return `[Invalid input: ${escapeQuotes(reason)}]`;
}

function describe(error: ErrorObject): string {
  const params = error.params as Record<string, unknown>;
  const where = error.instancePath ? ` at ${quoted(error.instancePath)}` : '';
  switch (error.keyword) {
    case 'required': return `object has missing required properties (${quoted([params.missingProperty])})${where}`;
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ${quoted([params.additionalProperty])}${where}`;
    case 'enum': return `instance value (${quoted(error.data)}) not found in enum (possible values: ${quoted(params.allowedValues)})${where}`;
    case 'type': return `instance type (${jsonType(error.data)}) does not match any allowed primitive type (allowed: ${quoted([params.type].flat())})${where}`;
    case 'minLength': return `string ${quoted(error.data)} is too short (length: ${String(error.data).length}, required minimum: ${String(params.limit)})${where}`;
    case 'maxLength': return `string ${quoted(error.data)} is too long (length: ${String(error.data).length}, maximum allowed: ${String(params.limit)})${where}`;
    case 'pattern': return `ECMA 262 regex ${quoted(params.pattern)} does not match input string ${quoted(error.data)}${where}`;
    case 'minimum': return `numeric instance is lower than the required minimum (minimum: ${String(params.limit)}, found: ${String(error.data)})${where}`;
    case 'maximum': return `numeric instance is greater than the required maximum (maximum: ${String(params.limit)}, found: ${String(error.data)})${where}`;
    default: return `${escapeQuotes(error.message ?? error.keyword)}${where}`;
  }
}

function jsonType(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'array';
  if (typeof value === 'number') return Number.isInteger(value) ? 'integer' : 'number';
  return typeof value;
}

function quoted(value: unknown): string {
  return escapeQuotes(JSON.stringify(value) ?? 'undefined');
}

function escapeQuotes(text: string): string {
  return text.replace(/"/g, '\\"');
}
