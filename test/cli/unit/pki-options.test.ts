import { CliError, EXIT } from '../../../cli/src/exit-codes';
import { keyAlgorithmOption, parseDistinguishedName, subjectOption } from '../../../cli/src/pki-options';

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(CliError);
    expect((error as CliError).exitCode).toBe(EXIT.USAGE);
    return (error as CliError).message;
  }
  throw new Error('expected a usage error');
}

describe('--subject', () => {
  test.each([
    ['/C=DE/O=Example/CN=sensor-1', { countryName: 'DE', organizationName: 'Example', commonName: 'sensor-1' }],
    ['CN=sensor-1, O=Example, C=DE', { countryName: 'DE', organizationName: 'Example', commonName: 'sensor-1' }],
    ['cn=a,ou=Line 4,l=Berlin,st=Berlin', { commonName: 'a', organizationUnitName: 'Line 4', localityName: 'Berlin', stateName: 'Berlin' }],
    ['/O=Acme\\/Sub/CN=x', { organizationName: 'Acme/Sub', commonName: 'x' }],
    ['CN=x,O=Acme\\, Inc.', { commonName: 'x', organizationName: 'Acme, Inc.' }],
    ['/serialNumber=1234/CN=x', { serialNumber: '1234', commonName: 'x' }],
  ])('%s', (text, fields) => {
    expect(parseDistinguishedName(text)).toEqual(fields);
  });

  test.each([
    ['/CN', '"CN" is not KEY=value'],
    ['/XX=1', 'unknown attribute "XX"'],
    ['/CN=a/CN=b', 'CN is given twice'],
  ])('refuses %s', (text, message) => {
    expect(usageMessage(() => parseDistinguishedName(text))).toContain(message);
  });

  test('--common-name wins over the CN of --subject, and a default CN fills a subject without one', () => {
    expect(subjectOption({ 'subject': '/O=Example/CN=old', 'common-name': 'new' })).toEqual({ organizationName: 'Example', commonName: 'new' });
    expect(subjectOption({ subject: '/O=Example' }, 'fallback')).toEqual({ organizationName: 'Example', commonName: 'fallback' });
  });

  test('the handlers\' subject rules apply: a three-letter country is refused, naming --subject', () => {
    expect(usageMessage(() => subjectOption({ subject: '/C=DEU/CN=x' }))).toMatch(/--subject.*country/i);
  });

  test('no subject at all says how to give one', () => {
    expect(usageMessage(() => subjectOption({}))).toContain('--common-name');
  });
});

describe('--key-algorithm', () => {
  test('defaults to ECDSA-P256 and accepts any case', () => {
    expect(keyAlgorithmOption({})).toBe('ECDSA-P256');
    expect(keyAlgorithmOption({ 'key-algorithm': 'rsa-3072' })).toBe('RSA-3072');
  });

  test('names the choices when it refuses', () => {
    expect(usageMessage(() => keyAlgorithmOption({ 'key-algorithm': 'ED25519' }))).toContain('RSA-2048, RSA-3072, RSA-4096, ECDSA-P256, ECDSA-P384');
  });
});
