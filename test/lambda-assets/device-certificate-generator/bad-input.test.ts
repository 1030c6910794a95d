import { CsrFactory, useGeneratorHarness } from './support';

const csrs = new CsrFactory();
const harness = useGeneratorHarness();
const { iot, s3, lambda } = harness;

const CA_ID = 'c'.repeat(64);
let csrPem: string;
let rsa1024CsrPem: string;
let emailOnlyCsrPem: string;
let tamperedCsrPem: string;
let certificatePem: string;

beforeAll(() => {
  csrPem = csrs.make('P-256', '/CN=sensor-1').csrPem;
  rsa1024CsrPem = (() => {
    csrs.openssl.run('req', '-new', '-newkey', 'rsa:1024', '-nodes', '-keyout', 'weak.key', '-subj', '/CN=weak', '-out', 'weak.csr');
    return csrs.openssl.read('weak.csr');
  })();
  emailOnlyCsrPem = csrs.make('P-256', '/emailAddress=device@example.com').csrPem;
  // One flipped bit in the signature value (the last DER byte): no proof the requester holds the key.
  const der = Buffer.from(csrPem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] ^= 0x01; // eslint-disable-line no-bitwise
  tamperedCsrPem = `-----BEGIN CERTIFICATE REQUEST-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE REQUEST-----\n`;
  csrs.openssl.run('req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', 'self.key', '-subj', '/CN=self', '-days', '1', '-out', 'self.pem');
  certificatePem = csrs.openssl.read('self.pem');
}, 30_000);
afterAll(() => csrs.dispose());

const key = (extra: Record<string, unknown> = {}) => ({ caCertificateId: CA_ID, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'd' }, ...extra });
const withSubject = (subject: unknown) => ({ caCertificateId: CA_ID, keyAlgorithm: 'ECDSA-P256', subject });
const csr = (extra: Record<string, unknown> = {}) => ({ caCertificateId: CA_ID, csrPem, ...extra });

/** [what, body (a function: CSRs are made in beforeAll), code, the field the message starts with]. */
const CASES: [string, () => unknown, string, string][] = [
  ['not JSON', () => '{"caCertificateId":', 'MalformedJson', 'body'],
  ['a JSON array', () => '[]', 'InvalidBody', 'body'],
  ['an empty body', () => undefined, 'MissingField', 'caCertificateId'],
  ['an unknown field', () => key({ thingName: 'x' }), 'InvalidField', 'thingName'],
  ['no caCertificateId', () => ({ keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'd' } }), 'MissingField', 'caCertificateId'],
  ['caCertificateId in upper case', () => key({ caCertificateId: 'C'.repeat(64) }), 'InvalidField', 'caCertificateId'],
  ['caCertificateId of 63 characters', () => key({ caCertificateId: 'c'.repeat(63) }), 'InvalidField', 'caCertificateId'],
  ['caCertificateId as a number', () => key({ caCertificateId: 42 }), 'InvalidField', 'caCertificateId'],
  ['neither csrPem nor keyAlgorithm', () => ({ caCertificateId: CA_ID }), 'MissingField', 'csrPem, keyAlgorithm'],
  ['both csrPem and keyAlgorithm', () => csr({ keyAlgorithm: 'ECDSA-P256' }), 'InvalidField', 'csrPem, keyAlgorithm'],
  ['an unknown keyAlgorithm', () => key({ keyAlgorithm: 'RSA-1024' }), 'InvalidField', 'keyAlgorithm'],
  ['keyAlgorithm without subject', () => ({ caCertificateId: CA_ID, keyAlgorithm: 'ECDSA-P256' }), 'MissingField', 'subject'],
  ['a subject that is a string', () => withSubject('CN=d'), 'InvalidField', 'subject'],
  ['a subject without commonName', () => withSubject({ organizationName: 'Acme' }), 'MissingField', 'subject.commonName'],
  ['an empty subject', () => withSubject({}), 'MissingField', 'subject.commonName'],
  ['an unknown subject field', () => withSubject({ commonName: 'd', emailAddress: 'a@b.c' }), 'InvalidField', 'subject.emailAddress'],
  ['a country that is not a code', () => withSubject({ commonName: 'd', countryName: 'Germany' }), 'InvalidField', 'subject.countryName'],
  ['a 65-character commonName', () => withSubject({ commonName: 'x'.repeat(65) }), 'InvalidField', 'subject.commonName'],
  ['a commonName with a control character', () => withSubject({ commonName: 'a\u0007b' }), 'InvalidField', 'subject.commonName'],
  ['a serialNumber outside PrintableString', () => withSubject({ commonName: 'd', serialNumber: 'SN_1' }), 'InvalidField', 'subject.serialNumber'],
  ['an empty organizationName', () => withSubject({ commonName: 'd', organizationName: '' }), 'InvalidField', 'subject.organizationName'],
  ['subject with csrPem', () => csr({ subject: { commonName: 'd' } }), 'InvalidField', 'subject'],
  ['csrPem that is not PEM', () => csr({ csrPem: 'MIIB...' }), 'InvalidField', 'csrPem'],
  ['csrPem that is a certificate', () => csr({ csrPem: certificatePem }), 'InvalidField', 'csrPem'],
  ['csrPem with two requests', () => csr({ csrPem: csrPem + csrPem }), 'InvalidField', 'csrPem'],
  ['csrPem with a broken signature', () => csr({ csrPem: tamperedCsrPem }), 'InvalidField', 'csrPem'],
  ['csrPem with an RSA-1024 key', () => csr({ csrPem: rsa1024CsrPem }), 'InvalidField', 'csrPem'],
  ['csrPem whose subject has no field a certificate can carry', () => csr({ csrPem: emailOnlyCsrPem }), 'InvalidField', 'csrPem'],
  ['csrPem over 16 KiB', () => csr({ csrPem: csrPem.replace('-----END', `${'A'.repeat(16384)}\n-----END`) }), 'InvalidField', 'csrPem'],
  ['validityDays 0', () => key({ validityDays: 0 }), 'InvalidField', 'validityDays'],
  ['validityDays over MAX_DEVICE_VALIDITY_DAYS', () => key({ validityDays: 1001 }), 'InvalidField', 'validityDays'],
  ['validityDays 1.5', () => key({ validityDays: 1.5 }), 'InvalidField', 'validityDays'],
  ['validityDays as a string', () => csr({ validityDays: '30' }), 'InvalidField', 'validityDays'],
];

describe('POST /deviceCertificateGenerate refuses bad input before touching AWS', () => {
  test.each(CASES)('%s -> 400 %s naming %s', async (_what, body, code, field) => {
    const response = await harness.post(body());

    expect(response.statusCode).toBe(400);
    expect(response.body).toEqual({ error: { code, message: expect.any(String) } });
    const { message } = response.body.error as { message: string };
    expect(message.startsWith(`${field}: `) || message.startsWith(`${field} `)).toBe(true);
    // Not a single AWS call: nothing read, nothing written, no verifier asked.
    expect(iot.calls()).toHaveLength(0);
    expect(s3.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
    expect(response.raw).not.toMatch(/\n\s+at /); // no stack trace
  });
});
