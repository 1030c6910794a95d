import { ClientError } from '../../../../lambda-assets/shared/http/client-error';
import {
  optionalEnum,
  optionalInteger,
  optionalObject,
  optionalString,
  rejectUnknownFields,
} from '../../../../lambda-assets/shared/validation/fields';

/** Runs a reader and returns the 400 it throws. */
function refusal(read: () => unknown): ClientError {
  try {
    read();
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    const clientError = error as ClientError;
    expect(clientError.statusCode).toBe(400);
    expect(clientError.code).toBe('InvalidField');
    return clientError;
  }
  throw new Error('expected a ClientError');
}

describe('rejectUnknownFields', () => {
  test('passes known fields, names the first unknown one with its path and the allowed list', () => {
    expect(() => rejectUnknownFields({ a: 1, b: 2 }, ['a', 'b', 'c'])).not.toThrow();
    expect(refusal(() => rejectUnknownFields({ a: 1, x: 2 }, ['a', 'b'], 'csrSubjects.')).message)
      .toBe('csrSubjects.x: unknown field; allowed fields are a, b');
  });

  // Found by test/security/fuzz-requests.test.ts: an empty key made the message ': unknown field', naming nothing.
  test.each([
    ['', '"": unknown field'],
    ['two\nlines', '"two\\nlines": unknown field'],
    ['<script>', '"<script>": unknown field'],
    ['k'.repeat(200), `"${'k'.repeat(64)}...": unknown field`],
  ])('a key that does not read as a name (%j) is quoted as JSON, and cut at 64 characters', (key, start) => {
    expect(refusal(() => rejectUnknownFields({ [key]: 1 }, ['a'])).message.startsWith(start)).toBe(true);
  });
});

describe('optionalString', () => {
  test('undefined is absent; a string is returned as is', () => {
    expect(optionalString({}, 'name')).toBeUndefined();
    expect(optionalString({ name: 'Acme' }, 'name')).toBe('Acme');
  });

  test.each<[string, unknown]>([['empty', ''], ['a number', 1], ['null', null], ['an object', {}], ['an array', ['a']]])('%s -> must be a non-empty string', (_n, value) => {
    expect(refusal(() => optionalString({ name: value }, 'name', { path: 'p.' })).message).toBe('p.name: must be a non-empty string');
  });

  test('maxLength and pattern, with a hint', () => {
    expect(optionalString({ n: 'abcd' }, 'n', { maxLength: 4 })).toBe('abcd');
    expect(refusal(() => optionalString({ n: 'abcde' }, 'n', { maxLength: 4 })).message).toBe('n: must be at most 4 characters');
    expect(refusal(() => optionalString({ n: 'x1' }, 'n', { pattern: /^[a-z]+$/ })).message).toBe('n: must match ^[a-z]+$');
    expect(refusal(() => optionalString({ n: 'x1' }, 'n', { pattern: /^[a-z]+$/, patternHint: 'letters only' })).message).toBe('n: letters only');
  });
});

describe('optionalEnum', () => {
  const modes = ['DEFAULT', 'SNI_ONLY'] as const;
  test('accepts a member, refuses anything else listing the members', () => {
    expect(optionalEnum({}, 'mode', modes)).toBeUndefined();
    expect(optionalEnum({ mode: 'SNI_ONLY' }, 'mode', modes)).toBe('SNI_ONLY');
    for (const value of ['sni_only', '', 1, null]) {
      expect(refusal(() => optionalEnum({ mode: value }, 'mode', modes)).message).toBe('mode: must be one of DEFAULT, SNI_ONLY');
    }
  });
});

describe('optionalInteger', () => {
  const range = { min: 1, max: 10 };
  test.each([1, 5, 10])('accepts %d', (value) => {
    expect(optionalInteger({ days: value }, 'days', range)).toBe(value);
  });

  test.each<unknown>([0, 11, 1.5, '5', Number.NaN, Number.POSITIVE_INFINITY, null, true])('refuses %p', (value) => {
    expect(refusal(() => optionalInteger({ days: value }, 'days', range)).message).toBe('days: must be an integer from 1 to 10');
  });

  test('absent is undefined', () => {
    expect(optionalInteger({}, 'days', range)).toBeUndefined();
  });
});

describe('optionalObject', () => {
  test('accepts a plain object, refuses arrays, null and scalars', () => {
    expect(optionalObject({ s: { a: 1 } }, 's')).toEqual({ a: 1 });
    expect(optionalObject({}, 's')).toBeUndefined();
    for (const value of [[], null, 'x', 1]) {
      expect(refusal(() => optionalObject({ s: value }, 's')).message).toBe('s: must be a JSON object');
    }
  });
});
