/**
 * Reading the members of an SQS JSON request: each reader names the member it refuses, worded as
 * SQS words MissingParameter and InvalidParameterValue, so a caller sees which field was wrong.
 */
import { sqsApiError } from './api-errors';

export type Json = Record<string, unknown>;

function present(input: Json, name: string): boolean {
  return input[name] !== undefined && input[name] !== null;
}

function invalid(name: string, value: unknown, reason: string): Error {
  return sqsApiError('InvalidParameterValue', `Value ${JSON.stringify(value)} for parameter ${name} is invalid. Reason: ${reason}`);
}

export function requiredString(input: Json, name: string): string {
  if (!present(input, name) || input[name] === '') {
    throw sqsApiError('MissingParameter', `The request must contain the parameter ${name}.`);
  }
  const value = input[name];
  if (typeof value !== 'string') throw invalid(name, value, 'Must be a string.');
  return value;
}

export function optionalString(input: Json, name: string): string | undefined {
  return present(input, name) ? requiredString(input, name) : undefined;
}

/** An integer member in [min, max], or `fallback` when absent. */
export function optionalInteger(input: Json, name: string, min: number, max: number, fallback: number): number;
export function optionalInteger(input: Json, name: string, min: number, max: number): number | undefined;
export function optionalInteger(input: Json, name: string, min: number, max: number, fallback?: number): number | undefined {
  if (!present(input, name)) return fallback;
  const value = input[name];
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    throw invalid(name, value, `Must be between ${min} and ${max}, if provided.`);
  }
  return value;
}

export function requiredInteger(input: Json, name: string, min: number, max: number): number {
  if (!present(input, name)) throw sqsApiError('MissingParameter', `The request must contain the parameter ${name}.`);
  return optionalInteger(input, name, min, max) as number;
}

/** A list of strings, empty when absent. */
export function stringList(input: Json, name: string): string[] {
  if (!present(input, name)) return [];
  const value = input[name];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) throw invalid(name, value, 'Must be a list of strings.');
  return value as string[];
}

/** A list of objects (batch entries). */
export function objectList(input: Json, name: string): Json[] {
  if (!present(input, name)) throw sqsApiError('MissingParameter', `The request must contain the parameter ${name}.`);
  const value = input[name];
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'object' || item === null || Array.isArray(item))) {
    throw invalid(name, '(list)', 'Must be a list of structures.');
  }
  return value as Json[];
}
