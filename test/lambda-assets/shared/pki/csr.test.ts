import { readFileSync } from 'node:fs';
import { OpensslWorkspace } from './openssl';
import {
  createCaCertificate,
  inspectCertificate,
  issueDeviceCertificate,
  parseCsr,
  PkiError,
  type GeneratedCa,
} from '../../../../lambda-assets/shared/pki';

/** CSRs made by `openssl req`, the way a factory or a device would make them. */
const openssl = new OpensslWorkspace();
let ca: GeneratedCa;

/** Runs `openssl req -new` with a fresh key made by `newKeyArgs`; returns the CSR PEM. */
function opensslCsr(name: string, subject: string, ...newKeyArgs: string[]): string {
  openssl.run('req', '-new', ...newKeyArgs, '-nodes', '-keyout', `${name}.key`, '-subj', subject, '-out', `${name}.csr`);
  return openssl.read(`${name}.csr`);
}

const csrs: Record<string, string> = {};

/** `openssl req -outform DER` of a CSR in the workspace. */
function derOf(name: string): Buffer {
  openssl.run('req', '-in', `${name}.csr`, '-outform', 'DER', '-out', `${name}.der`);
  return readFileSync(openssl.path(`${name}.der`));
}

beforeAll(async () => {
  ca = await createCaCertificate({ subject: { commonName: 'CSR Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
  csrs.rsa2048 = opensslCsr('rsa2048', '/C=DE/O=Acme, Inc./OU=Line 1/CN=sensor-0001/serialNumber=SN-0001', '-newkey', 'rsa:2048');
  csrs.p256 = opensslCsr('p256', '/CN=sensor-p256', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256');
  csrs.p384 = opensslCsr('p384', '/CN=sensor-p384', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-384');
  csrs.p521 = opensslCsr('p521', '/CN=sensor-p521', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521');
  csrs.rsa1024 = opensslCsr('rsa1024', '/CN=weak', '-newkey', 'rsa:1024');
  csrs.secp256k1 = opensslCsr('secp256k1', '/CN=bitcoin-curve', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1');
  openssl.run('genpkey', '-algorithm', 'ed25519', '-out', 'ed25519.key');
  openssl.run('req', '-new', '-key', 'ed25519.key', '-subj', '/CN=edwards', '-out', 'ed25519.csr');
  csrs.ed25519 = openssl.read('ed25519.csr');
}, 30_000);

afterAll(() => openssl.dispose());

async function expectPkiError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(PkiError);
  await expect(promise).rejects.toMatchObject({ code });
}

/** Flips one bit of the CSR's last DER byte, which lies inside its signature value. */
function withTamperedSignature(pem: string): string {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  der[der.length - 1] ^= 0x01; // eslint-disable-line no-bitwise
  const body = der.toString('base64').match(/.{1,64}/g)!.join('\n');
  return `-----BEGIN CERTIFICATE REQUEST-----\n${body}\n-----END CERTIFICATE REQUEST-----\n`;
}

describe('parseCsr accepts the keys AWS IoT accepts', () => {
  test.each([
    ['rsa2048', 'RSA-2048'],
    ['p256', 'ECDSA-P256'],
    ['p384', 'ECDSA-P384'],
    ['p521', 'ECDSA-P521'],
  ])('%s CSR from openssl parses as %s', async (name, keyDescription) => {
    const parsed = await parseCsr(csrs[name]);
    expect(parsed.keyDescription).toBe(keyDescription);
    expect(parsed.publicKey.type).toBe('public');
    expect(parsed.subject.commonName).toBe(name === 'rsa2048' ? 'sensor-0001' : `sensor-${name}`);
    // The DER as sent, the same bytes openssl writes with -outform DER.
    expect(Buffer.from(parsed.der)).toEqual(derOf(name));
  });

  test('reads every subject field the CSR carries', async () => {
    const parsed = await parseCsr(csrs.rsa2048);
    expect(parsed.subject).toEqual({
      countryName: 'DE',
      organizationName: 'Acme, Inc.',
      organizationUnitName: 'Line 1',
      commonName: 'sensor-0001',
      serialNumber: 'SN-0001',
    });
  });

  test.each(['rsa2048', 'p521'])('a certificate issued for the %s CSR key verifies with openssl and carries the requested subject', async name => {
    const parsed = await parseCsr(csrs[name]);
    const issued = await issueDeviceCertificate(ca.authority, { publicKey: parsed.publicKey, subject: parsed.subject, validityDays: 30 });
    expect(openssl.verify(ca.certificatePem, issued.certificatePem)).toBe('cert.pem: OK');
    expect(inspectCertificate(issued.certificatePem).subject).toEqual(parsed.subject);
    const csrSubject = openssl.run('req', '-in', `${name}.csr`, '-noout', '-subject', '-nameopt', 'RFC2253').trim().replace(/^subject=/, '');
    expect(openssl.subjectRfc2253(issued.certificatePem)).toBe(csrSubject);
    // The certificate holds the CSR's key: OpenSSL derives the same public key from both.
    const certificateKey = openssl.run('x509', '-in', openssl.write(`${name}-issued.pem`, issued.certificatePem), '-noout', '-pubkey');
    expect(certificateKey).toBe(openssl.run('req', '-in', `${name}.csr`, '-noout', '-pubkey'));
  });

  test('accepts the "NEW CERTIFICATE REQUEST" label older tools write', async () => {
    const relabelled = csrs.p256.replace(/CERTIFICATE REQUEST/g, 'NEW CERTIFICATE REQUEST');
    await expect(parseCsr(relabelled)).resolves.toMatchObject({ keyDescription: 'ECDSA-P256' });
  });
});

describe('parseCsr refuses', () => {
  test.each([
    ['rsa1024', /RSA-1024/],
    ['secp256k1', /EC-secp256k1/],
    ['ed25519', /Ed25519/],
  ])('a %s key with UNSUPPORTED_KEY, naming the key', async (name, keyName) => {
    await expectPkiError(parseCsr(csrs[name]), 'UNSUPPORTED_KEY');
    await expect(parseCsr(csrs[name])).rejects.toThrow(keyName);
  });

  test.each(['rsa2048', 'p256'])('a %s CSR whose signature was tampered with, with BAD_CSR_SIGNATURE', async name => {
    await expectPkiError(parseCsr(withTamperedSignature(csrs[name])), 'BAD_CSR_SIGNATURE');
  });

  test.each([
    ['an empty string', ''],
    ['text that is not PEM', 'hello, I am a CSR'],
    ['a certificate instead of a CSR', '-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n'],
    ['base64 that is not DER', '-----BEGIN CERTIFICATE REQUEST-----\naGVsbG8gd29ybGQ=\n-----END CERTIFICATE REQUEST-----\n'],
    ['characters outside base64', '-----BEGIN CERTIFICATE REQUEST-----\nMII*%$\n-----END CERTIFICATE REQUEST-----\n'],
    ['a non-string', 42 as unknown as string],
  ])('%s, with MALFORMED_PEM', async (_, input) => {
    await expectPkiError(parseCsr(input), 'MALFORMED_PEM');
  });

  test('two CSRs in one PEM, with MALFORMED_PEM', async () => {
    await expectPkiError(parseCsr(csrs.p256 + csrs.p384), 'MALFORMED_PEM');
  });

  test('a truncated CSR, with MALFORMED_PEM', async () => {
    const lines = csrs.p256.trim().split('\n');
    const truncated = [...lines.slice(0, 3), lines[lines.length - 1]].join('\n');
    await expectPkiError(parseCsr(truncated), 'MALFORMED_PEM');
  });
});
