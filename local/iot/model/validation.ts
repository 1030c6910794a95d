import type { Tag } from '@aws-sdk/client-iot';
import { PolicyDocumentError, validatePolicyDocument } from '../policy';
import { invalidRequest, iotError } from './errors';

/** Thing, thing type and thing group names: 1-128 of `[a-zA-Z0-9:_-]` (AWS IoT API reference). */
export const THING_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;
/** Policy names: 1-128 of `[\w+=,.@-]` (CreatePolicy). */
export const POLICY_NAME = /^[\w+=,.@-]{1,128}$/;
/** Provisioning template names: 1-36 of `[0-9A-Za-z_-]` (CreateProvisioningTemplate). */
export const TEMPLATE_NAME = /^[0-9A-Za-z_-]{1,36}$/;
/** Certificate ids: 64 hex characters (an optional 0x prefix is part of the documented pattern). */
const CERTIFICATE_ID = /^(0x)?[a-fA-F0-9]{64}$/;
/** Thing attribute names and values (AttributePayload). */
const ATTRIBUTE_NAME = /^[a-zA-Z0-9_.,@/:#-]{1,128}$/;
const ATTRIBUTE_VALUE = /^[a-zA-Z0-9_.,@/:#=[\]-]{0,800}$/;

/** Largest page AWS IoT returns (pageSize / maxResults 1-250). */
export const MAX_PAGE_SIZE = 250;
/** Tags per resource. */
const MAX_TAGS = 50;

export function requireString(value: unknown, what: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw invalidRequest(`${what} is required`);
  }
  return value;
}

export function requireName(value: unknown, pattern: RegExp, what: string): string {
  const name = requireString(value, what);
  if (!pattern.test(name)) {
    throw invalidRequest(`${what} ${JSON.stringify(name)} does not match ${pattern.source}`);
  }
  return name;
}

export function requireCertificateId(value: unknown, what = 'certificateId'): string {
  const id = requireString(value, what);
  if (!CERTIFICATE_ID.test(id)) {
    throw invalidRequest(`${what} must be 64 hexadecimal characters`);
  }
  return id.replace(/^0x/, '').toLowerCase();
}

/** Validates one of a fixed set of string values, or returns the default when absent. */
export function requireOneOf<T extends string>(value: unknown, allowed: readonly T[], what: string, fallback?: T): T {
  if (value === undefined && fallback !== undefined) return fallback;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    throw invalidRequest(`${what} must be one of ${allowed.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value as T;
}

export function validateAttributes(attributes: unknown, limit: number): Record<string, string> {
  if (attributes === undefined) return {};
  if (typeof attributes !== 'object' || attributes === null || Array.isArray(attributes)) {
    throw invalidRequest('attributes must be a map of strings');
  }
  const entries = Object.entries(attributes as Record<string, unknown>);
  if (entries.length > limit) {
    throw invalidRequest(`a thing ${limit === 3 ? 'without a thing type ' : ''}can have at most ${limit} attributes`);
  }
  const clean: Record<string, string> = {};
  for (const [name, value] of entries) {
    if (!ATTRIBUTE_NAME.test(name)) throw invalidRequest(`attribute name ${JSON.stringify(name)} does not match ${ATTRIBUTE_NAME.source}`);
    if (typeof value !== 'string' || !ATTRIBUTE_VALUE.test(value)) {
      throw invalidRequest(`attribute ${name}: value ${JSON.stringify(value)} does not match ${ATTRIBUTE_VALUE.source}`);
    }
    clean[name] = value;
  }
  return clean;
}

export function validateTags(tags: unknown): Tag[] {
  if (tags === undefined) return [];
  if (!Array.isArray(tags)) throw invalidRequest('tags must be a list of {Key, Value}');
  if (tags.length > MAX_TAGS) throw invalidRequest(`a resource can have at most ${MAX_TAGS} tags`);
  return tags.map((tag: unknown, index) => {
    const { Key: key, Value: value } = (tag ?? {}) as Tag;
    if (typeof key !== 'string' || key.length < 1 || key.length > 128 || key.startsWith('aws:')) {
      throw invalidRequest(`tags[${index}].Key must be 1-128 characters and must not start with "aws:"`);
    }
    if (value !== undefined && (typeof value !== 'string' || value.length > 256)) {
      throw invalidRequest(`tags[${index}].Value must be a string of at most 256 characters`);
    }
    return { Key: key, Value: value ?? '' };
  });
}

/**
 * One page of a listing and the token of the next. Tokens are opaque to callers (an offset,
 * base64-encoded), as AWS's markers and nextTokens are.
 */
export function paginate<T>(items: readonly T[], pageSize: unknown, token: unknown): { page: T[]; next?: string } {
  let size = MAX_PAGE_SIZE;
  if (pageSize !== undefined) {
    if (typeof pageSize !== 'number' || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) {
      throw invalidRequest(`the page size must be an integer from 1 to ${MAX_PAGE_SIZE}`);
    }
    size = pageSize;
  }
  let offset = 0;
  if (token !== undefined && token !== '') {
    const decoded = typeof token === 'string' ? /^offset:(\d+)$/.exec(Buffer.from(token, 'base64').toString('utf8')) : null;
    if (!decoded) throw invalidRequest('the pagination token is not valid');
    offset = Number(decoded[1]);
  }
  const page = items.slice(offset, offset + size);
  const end = offset + page.length;
  return { page, next: end < items.length ? Buffer.from(`offset:${end}`).toString('base64') : undefined };
}

/** CreatePolicy's document check (the policy evaluator's validator): MalformedPolicyException. */
export function checkPolicyDocument(document: unknown): string {
  if (typeof document !== 'string' || document.length === 0) throw invalidRequest('policyDocument is required');
  try {
    validatePolicyDocument(document);
  } catch (error) {
    if (error instanceof PolicyDocumentError) throw iotError('MalformedPolicyException', error.message);
    throw error;
  }
  return document;
}

/** A map of strings (template parameters, hook overrides), or InvalidRequestException. */
export function stringMap(value: unknown, what: string): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw invalidRequest(`${what} must be a map of strings`);
  const map: Record<string, string> = {};
  for (const [key, entry] of Object.entries(value)) {
    if (typeof entry !== 'string') throw invalidRequest(`${what}.${key} must be a string`);
    map[key] = entry;
  }
  return map;
}

export function unique<T>(items: readonly T[]): T[] {
  return [...new Set(items)];
}

/** Deep equality of plain JSON-like values (attributes, properties), ignoring key order. */
export function sameRecord(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    return `{${Object.keys(value).filter(k => (value as Record<string, unknown>)[k] !== undefined).sort()
      .map(k => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'undefined';
}
