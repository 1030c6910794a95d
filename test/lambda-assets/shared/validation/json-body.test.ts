import { ClientError } from '../../../../lambda-assets/shared/http/client-error';
import { parseJsonObjectBody } from '../../../../lambda-assets/shared/validation/json-body';

function refusal(body: string, isBase64Encoded = false): ClientError {
  try {
    parseJsonObjectBody(body, isBase64Encoded);
  } catch (error) {
    expect(error).toBeInstanceOf(ClientError);
    return error as ClientError;
  }
  throw new Error('expected a ClientError');
}

describe('parseJsonObjectBody', () => {
  test('an absent or blank body is an empty object', () => {
    expect(parseJsonObjectBody(null)).toEqual({});
    expect(parseJsonObjectBody(undefined)).toEqual({});
    expect(parseJsonObjectBody('  \n')).toEqual({});
  });

  test('a JSON object, plain or base64-encoded', () => {
    expect(parseJsonObjectBody('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonObjectBody(Buffer.from('{"a":"ü"}').toString('base64'), true)).toEqual({ a: 'ü' });
  });

  test.each([
    ['{', 'MalformedJson'],
    ['{"a":1,}', 'MalformedJson'],
    ['[]', 'InvalidBody'],
    ['"text"', 'InvalidBody'],
    ['42', 'InvalidBody'],
    ['null', 'InvalidBody'],
  ])('%s -> 400 %s', (body, code) => {
    const error = refusal(body);
    expect(error.statusCode).toBe(400);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(/^body: /);
  });

  test('more than 64 KiB (counted in bytes, after base64 decoding) -> 400 BodyTooLarge', () => {
    const justFits = JSON.stringify({ a: 'x'.repeat(64 * 1024 - 8) });
    expect(Buffer.byteLength(justFits)).toBe(64 * 1024);
    expect(parseJsonObjectBody(justFits)).toHaveProperty('a');
    expect(refusal(JSON.stringify({ a: 'x'.repeat(64 * 1024 - 7) })).code).toBe('BodyTooLarge');
    // 2-byte characters: under the limit in characters, over it in bytes.
    expect(refusal(JSON.stringify({ a: 'ü'.repeat(33_000) })).code).toBe('BodyTooLarge');
    expect(refusal(Buffer.from(JSON.stringify({ a: 'x'.repeat(70_000) })).toString('base64'), true).code).toBe('BodyTooLarge');
  });
});
