import { VerifierContractError } from '../../../../lambda-assets/shared/verifier/contract';
import { parseVerifierOutput } from '../../../../lambda-assets/shared/verifier/parse-output';

describe('parseVerifierOutput (the verifier contract)', () => {
  test.each([
    [{ verified: true }, { verified: true, thingName: undefined, attributes: undefined, reason: undefined }],
    [{ verified: false, reason: 'revoked by the factory' }, { verified: false, thingName: undefined, attributes: undefined, reason: 'revoked by the factory' }],
    [
      { verified: true, thingName: 'acme:line-7_unit-0042', attributes: { model: 'X1', fw: '1.2.3', site: 'muc/2', tag: 'a=b[1]' } },
      { verified: true, thingName: 'acme:line-7_unit-0042', attributes: { model: 'X1', fw: '1.2.3', site: 'muc/2', tag: 'a=b[1]' }, reason: undefined },
    ],
    [{ verified: true, attributes: {} }, { verified: true, thingName: undefined, attributes: {}, reason: undefined }],
  ])('accepts %j', (payload, expected) => {
    expect(parseVerifierOutput('v', payload)).toEqual(expected);
  });

  test('parameterOverrides (fleet provisioning): a map of strings, empty values and an empty map included', () => {
    expect(parseVerifierOutput('v', { verified: true, parameterOverrides: { SerialNumber: 'acme-0042', Region: '' } }).parameterOverrides)
      .toEqual({ SerialNumber: 'acme-0042', Region: '' });
    expect(parseVerifierOutput('v', { verified: true, parameterOverrides: {} }).parameterOverrides).toEqual({});
    expect(parseVerifierOutput('v', { verified: true })).not.toHaveProperty('parameterOverrides', expect.anything());
  });

  test('keeps only the contract fields', () => {
    expect(parseVerifierOutput('v', { verified: true, extra: 'ignored', certificatePem: 'x' })).toEqual({
      verified: true, thingName: undefined, attributes: undefined, reason: undefined,
    });
  });

  test.each<[string, unknown, RegExp]>([
    ['a string', 'yes', /must be a JSON object/],
    ['null', null, /must be a JSON object/],
    ['an array', [{ verified: true }], /must be a JSON object/],
    ['a boolean', true, /must be a JSON object/],
    ['no verified', {}, /"verified" must be a boolean/],
    ["verified 'true'", { verified: 'true' }, /"verified" must be a boolean/],
    ['verified 1', { verified: 1 }, /"verified" must be a boolean/],
    ['a thing name with a space', { verified: true, thingName: 'my device' }, /"thingName"/],
    ['an empty thing name', { verified: true, thingName: '' }, /"thingName"/],
    ['a thing name of 129 characters', { verified: true, thingName: 't'.repeat(129) }, /"thingName"/],
    ['a numeric thing name', { verified: true, thingName: 42 }, /"thingName"/],
    ['attributes as an array', { verified: true, attributes: ['a'] }, /"attributes" must be an object/],
    ['attributes null', { verified: true, attributes: null }, /"attributes" must be an object/],
    ['a numeric attribute value', { verified: true, attributes: { n: 1 } }, /attribute 'n' must be a string/],
    ['an attribute name with a space', { verified: true, attributes: { 'a b': 'x' } }, /attribute name 'a b'/],
    ['51 attributes', { verified: true, attributes: Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`a${i}`, 'v'])) }, /at most 50/],
    ['a numeric reason', { verified: false, reason: 42 }, /"reason" must be a string/],
    ['parameterOverrides as an array', { verified: true, parameterOverrides: ['a'] }, /"parameterOverrides" must be an object of strings/],
    ['parameterOverrides null', { verified: true, parameterOverrides: null }, /"parameterOverrides" must be an object of strings/],
    ['parameterOverrides as a string', { verified: true, parameterOverrides: 'a=b' }, /"parameterOverrides" must be an object of strings/],
    ['a numeric parameter override', { verified: true, parameterOverrides: { Region: 1 } }, /'Region' is number/],
    ['a null parameter override', { verified: true, parameterOverrides: { Region: null } }, /'Region' is null/],
    ['an override of an empty name', { verified: true, parameterOverrides: { '': 'x' } }, /empty parameter/],
  ])('refuses %s with a VerifierContractError naming the verifier', (_name, payload, message) => {
    let error: unknown;
    try {
      parseVerifierOutput('acme-verifier', payload);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(VerifierContractError);
    expect((error as Error).name).toBe('VerifierContractError');
    expect((error as Error).message).toMatch(/^verifier 'acme-verifier' broke the contract: /);
    expect((error as Error).message).toMatch(message);
  });

  test('a thing name of exactly 128 allowed characters and 50 attributes pass', () => {
    const attributes = Object.fromEntries(Array.from({ length: 50 }, (_, i) => [`a${i}`, 'v']));
    expect(parseVerifierOutput('v', { verified: true, thingName: 'T'.repeat(128), attributes }).thingName).toHaveLength(128);
  });
});
