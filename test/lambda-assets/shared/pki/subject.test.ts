import { OpensslWorkspace } from './openssl';
import {
  createCaCertificate,
  inspectCertificate,
  issueDeviceCertificateWithNewKey,
  PkiError,
  type GeneratedCa,
  type SubjectFields,
} from '../../../../lambda-assets/shared/pki';
import { x509 } from '../../../../lambda-assets/shared/pki/runtime';
import { encodeSubject } from '../../../../lambda-assets/shared/pki/subject';

const openssl = new OpensslWorkspace();
let ca: GeneratedCa;

beforeAll(async () => {
  ca = await createCaCertificate({ subject: { commonName: 'Subject Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
});

afterAll(() => openssl.dispose());

async function issue(subject: SubjectFields) {
  return issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject, validityDays: 1 });
}

/** RFC 4514 escaping, as `openssl x509 -nameopt RFC2253` applies it to ASCII values. */
function rfc4514(value: string): string {
  return value.replace(/[,+"\\<>;]/g, character => `\\${character}`).replace(/^[ #]/, character => `\\${character}`).replace(/ $/, '\\ ');
}

/** Every field, with the characters that break DN strings built by concatenation. */
const AWKWARD: Required<SubjectFields> = {
  countryName: 'JP',
  stateName: '東京都',
  localityName: 'München',
  organizationName: '#leading hash',
  organizationUnitName: ' spaced ',
  commonName: 'Acme, Inc. + "Partners" \\ <x>; #1 = y',
  serialNumber: 'SN:0001/A+B=C',
  dnQualifier: 'q(1)',
};

describe('subject fields', () => {
  test('commas, plus signs, quotes, backslashes, a leading # or space and UTF-8 survive, as openssl reads them', async () => {
    const { certificatePem } = await issue(AWKWARD);
    const expected = [
      `dnQualifier=${rfc4514(AWKWARD.dnQualifier)}`,
      `serialNumber=${rfc4514(AWKWARD.serialNumber)}`,
      `CN=${rfc4514(AWKWARD.commonName)}`,
      `OU=${rfc4514(AWKWARD.organizationUnitName)}`,
      `O=${rfc4514(AWKWARD.organizationName)}`,
      `L=${AWKWARD.localityName}`,
      `ST=${AWKWARD.stateName}`,
      `C=${AWKWARD.countryName}`,
    ].join(',');
    const printed = openssl.run('x509', '-noout', '-subject', '-nameopt', 'RFC2253,-esc_msb', '-in', openssl.write('awkward.pem', certificatePem));
    expect(printed.trim()).toBe(`subject=${expected}`);
    expect(openssl.subjectRfc2253(certificatePem)).toContain('L=M\\C3\\BCnchen'); // UTF-8 bytes, not Latin-1
    expect(inspectCertificate(certificatePem).subject).toEqual(AWKWARD);
  });

  test('each field lands in its own attribute type (serialNumber is 2.5.4.5, dnQualifier 2.5.4.46)', async () => {
    const { certificatePem } = await issue(AWKWARD);
    const asn1 = openssl.run('asn1parse', '-in', openssl.write('types.pem', certificatePem));
    expect(asn1).toMatch(/OBJECT\s+:serialNumber\n.*PRINTABLESTRING\s+:SN:0001\/A\+B=C\n/);
    expect(asn1).toMatch(/OBJECT\s+:dnQualifier\n.*PRINTABLESTRING\s+:q\(1\)\n/);
    expect(asn1).toMatch(/OBJECT\s+:countryName\n.*PRINTABLESTRING\s+:JP\n/);
    expect(asn1).toMatch(/OBJECT\s+:commonName\n.*UTF8STRING\s+:Acme/); // '"', '\', '<' ... are outside PrintableString
  });

  test('encodes names exactly as @peculiar/x509 does from its structured JSON form with typed values', () => {
    const printable = /^[A-Za-z0-9 '()+,\-./:=?]*$/;
    // DN order (broad to narrow) and attribute types, as the module writes them.
    const attributeTypes: Array<[keyof SubjectFields, string]> = [
      ['countryName', '2.5.4.6'], ['stateName', '2.5.4.8'], ['localityName', '2.5.4.7'], ['organizationName', '2.5.4.10'],
      ['organizationUnitName', '2.5.4.11'], ['commonName', '2.5.4.3'], ['serialNumber', '2.5.4.5'], ['dnQualifier', '2.5.4.46'],
    ];
    const subjects: SubjectFields[] = [AWKWARD, { commonName: 'plain' }, { organizationName: 'ÆØÅ', commonName: 'x'.repeat(64) }];
    for (const subject of subjects) {
      const typed = (value: string) => (printable.test(value) ? { printableString: value } : { utf8String: value });
      const reference = new x509.Name(attributeTypes
        .filter(([field]) => subject[field] !== undefined)
        .map(([field, oid]) => ({ [oid]: [typed(subject[field]!)] })));
      expect(encodeSubject(subject).toString('hex')).toBe(Buffer.from(reference.toArrayBuffer()).toString('hex'));
    }
  });

  test('accepts 64 characters, counted as characters rather than UTF-16 units', async () => {
    await expect(issue({ commonName: '🔐'.repeat(64) })).resolves.toHaveProperty('certificatePem');
  });
});

describe('subject validation (BAD_SUBJECT, naming the field)', () => {
  test.each([
    ['a three-letter country', { commonName: 'x', countryName: 'DEU' }, 'countryName'],
    ['a numeric country', { commonName: 'x', countryName: '12' }, 'countryName'],
    ['an empty value', { commonName: '' }, 'commonName'],
    ['65 characters', { commonName: 'x', organizationName: 'o'.repeat(65) }, 'organizationName'],
    ['a newline', { commonName: 'x', localityName: 'a\nb' }, 'localityName'],
    ['a NUL byte', { commonName: 'x\u0000' }, 'commonName'],
    ['a C1 control character', { stateName: 'a\u0085b' }, 'stateName'],
    ['a lone surrogate', { commonName: 'a\ud800b' }, 'commonName'],
    ['a non-string value', { commonName: 42 }, 'commonName'],
    ['null as a value', { organizationUnitName: null }, 'organizationUnitName'],
    ['an unknown field', { commonName: 'x', organisationName: 'typo' }, 'organisationName'],
    ['serialNumber outside PrintableString', { serialNumber: 'dev_001' }, 'serialNumber'],
    ['dnQualifier outside PrintableString', { dnQualifier: 'q@x' }, 'dnQualifier'],
    ['no field at all', {}, 'subject'],
  ])('refuses %s', async (_, subject, field) => {
    const attempt = issue(subject as SubjectFields);
    await expect(attempt).rejects.toBeInstanceOf(PkiError);
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_SUBJECT', message: expect.stringContaining(field) });
  });

  test.each([[null], ['CN=x'], [['commonName']]])('refuses a subject that is not an object (%j)', async subject => {
    await expect(issue(subject as unknown as SubjectFields)).rejects.toMatchObject({ code: 'BAD_SUBJECT' });
  });

  test('validates the CA subject too', async () => {
    await expect(createCaCertificate({ subject: { countryName: 'Germany' }, keyAlgorithm: 'ECDSA-P256', validityDays: 1 }))
      .rejects.toMatchObject({ code: 'BAD_SUBJECT', message: expect.stringContaining('countryName') });
  });
});
