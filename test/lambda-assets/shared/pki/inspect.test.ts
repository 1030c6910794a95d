import { OpensslWorkspace } from './openssl';
import {
  certificateIdOf,
  createCaCertificate,
  inspectCertificate,
  isIssuedBy,
  issueDeviceCertificateWithNewKey,
  PkiError,
  type GeneratedCa,
} from '../../../../lambda-assets/shared/pki';

const openssl = new OpensslWorkspace();
let ca: GeneratedCa;
let twin: GeneratedCa;

beforeAll(async () => {
  // Two CAs with the same subject but different keys: names alone cannot tell them apart.
  [ca, twin] = await Promise.all([
    createCaCertificate({ subject: { commonName: 'Inspect Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 }),
    createCaCertificate({ subject: { commonName: 'Inspect Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 }),
  ]);
});

afterAll(() => openssl.dispose());

const GARBAGE: Array<[string, unknown]> = [
  ['an empty string', ''],
  ['plain text', 'not a certificate'],
  ['a PEM block of another kind', '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEA\n-----END PUBLIC KEY-----\n'],
  ['base64 that is not a certificate', '-----BEGIN CERTIFICATE-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE-----\n'],
  ['an empty PEM block', '-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n'],
  ['mismatched BEGIN and END labels', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE REQUEST-----\n'],
  ['undefined', undefined],
];

describe('inspectCertificate', () => {
  test('reads an OpenSSL-made certificate', () => {
    openssl.run('req', '-x509', '-new', '-nodes', '-newkey', 'rsa:2048', '-keyout', 'o.key', '-subj', '/C=US/O=Example Org/CN=example.test',
      '-days', '10', '-set_serial', '0x00ff00', '-out', 'o.crt');
    const pem = openssl.read('o.crt');
    const info = inspectCertificate(pem);
    expect(info).toMatchObject({
      subject: { countryName: 'US', organizationName: 'Example Org', commonName: 'example.test' },
      serialNumber: 'ff00',
      subjectName: 'C=US, O=Example Org, CN=example.test',
      isCa: true,
      keyDescription: 'RSA-2048',
      certificateId: openssl.sha256OfDer(pem),
    });
    expect(info.notBefore).toEqual(new Date(openssl.run('x509', '-in', 'o.crt', '-noout', '-startdate').trim().replace('notBefore=', '')));
    expect(info.notAfter).toEqual(new Date(openssl.run('x509', '-in', 'o.crt', '-noout', '-enddate').trim().replace('notAfter=', '')));
  });

  test('tolerates CRLF line ends and surrounding text', () => {
    const messy = `issued for you:\r\n${ca.certificatePem.replace(/\n/g, '\r\n')}\r\nbye`;
    expect(inspectCertificate(messy).certificateId).toBe(ca.certificateId);
  });

  test.each(GARBAGE)('refuses %s with MALFORMED_PEM', (_, input) => {
    expect(() => inspectCertificate(input as string)).toThrow(PkiError);
    expect(() => inspectCertificate(input as string)).toThrow(expect.objectContaining({ code: 'MALFORMED_PEM' }));
  });

  test('refuses two certificates in one PEM with MALFORMED_PEM', () => {
    expect(() => inspectCertificate(ca.certificatePem + twin.certificatePem)).toThrow(expect.objectContaining({ code: 'MALFORMED_PEM' }));
  });
});

describe('certificateIdOf', () => {
  test('is the lowercase hex SHA-256 of the DER, as `openssl x509 -outform DER | sha256sum` computes', () => {
    const id = certificateIdOf(ca.certificatePem);
    expect(id).toMatch(/^[0-9a-f]{64}$/);
    expect(id).toBe(openssl.sha256OfDer(ca.certificatePem));
    expect(id).toBe(ca.certificateId);
  });

  test.each(GARBAGE)('refuses %s with MALFORMED_PEM', (_, input) => {
    expect(() => certificateIdOf(input as string)).toThrow(expect.objectContaining({ code: 'MALFORMED_PEM' }));
  });
});

describe('isIssuedBy', () => {
  test('checks the signature, not just the issuer name', async () => {
    const device = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'd' }, validityDays: 1 });
    await expect(isIssuedBy(device.certificatePem, ca.certificatePem)).resolves.toBe(true);
    await expect(isIssuedBy(device.certificatePem, twin.certificatePem)).resolves.toBe(false);
    // OpenSSL agrees (it already tells the twins apart by the authority key identifier).
    expect(openssl.verify(twin.certificatePem, device.certificatePem)).toMatch(/verification failed/);
  });

  test('a CA is issued by itself; a device certificate does not issue its CA', async () => {
    const device = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'd' }, validityDays: 1 });
    await expect(isIssuedBy(ca.certificatePem, ca.certificatePem)).resolves.toBe(true);
    await expect(isIssuedBy(ca.certificatePem, device.certificatePem)).resolves.toBe(false);
  });

  test('refuses garbage with MALFORMED_PEM', async () => {
    await expect(isIssuedBy('garbage', ca.certificatePem)).rejects.toMatchObject({ code: 'MALFORMED_PEM' });
    await expect(isIssuedBy(ca.certificatePem, 'garbage')).rejects.toMatchObject({ code: 'MALFORMED_PEM' });
  });
});
