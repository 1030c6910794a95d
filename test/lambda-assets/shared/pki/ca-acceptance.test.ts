import { OpensslWorkspace } from './openssl';
import {
  assertAcceptableCaCertificate,
  createCaCertificate,
  issueDeviceCertificateWithNewKey,
  PkiError,
  type GeneratedCa,
} from '../../../../lambda-assets/shared/pki';

/** CAs users bring are checked before they reach RegisterCACertificate. */
const openssl = new OpensslWorkspace();
let ourCa: GeneratedCa;

beforeAll(async () => {
  ourCa = await createCaCertificate({ subject: { commonName: 'Acceptance Root', organizationName: 'Acme' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
});

afterAll(() => openssl.dispose());

async function expectPkiError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(PkiError);
  await expect(promise).rejects.toMatchObject({ code });
}

/** A self-signed CA made by `openssl req -x509` (which marks it CA:TRUE); returns its PEM. */
function opensslCa(name: string, ...args: string[]): string {
  openssl.run('req', '-x509', '-new', '-nodes', '-keyout', `${name}.key`, '-subj', `/CN=${name}`, '-days', '30', '-out', `${name}.crt`, ...args);
  return openssl.read(`${name}.crt`);
}

describe('assertAcceptableCaCertificate', () => {
  test('accepts our own CA and describes it', async () => {
    const info = await assertAcceptableCaCertificate(ourCa.certificatePem);
    expect(info).toMatchObject({
      certificateId: ourCa.certificateId,
      subject: { commonName: 'Acceptance Root', organizationName: 'Acme' },
      isCa: true,
      keyDescription: 'ECDSA-P256',
      subjectName: 'O=Acme, CN=Acceptance Root',
      issuerName: 'O=Acme, CN=Acceptance Root',
    });
  });

  test.each([
    ['RSA-2048', ['-newkey', 'rsa:2048']],
    ['ECDSA-P521', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-521', '-sha512']],
  ])('accepts an OpenSSL %s CA', async (keyDescription, args) => {
    await expect(assertAcceptableCaCertificate(opensslCa(`ok-${keyDescription}`, ...args))).resolves.toMatchObject({ keyDescription, isCa: true });
  });

  test('refuses a leaf (CA:FALSE) certificate with NOT_A_CA', async () => {
    const leaf = await issueDeviceCertificateWithNewKey(ourCa.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'leaf' }, validityDays: 1 });
    await expectPkiError(assertAcceptableCaCertificate(leaf.certificatePem), 'NOT_A_CA');
  });

  test('refuses a certificate with no basicConstraints at all with NOT_A_CA', async () => {
    const pem = opensslCa('no-basic-constraints', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-addext', 'keyUsage=digitalSignature', '-config', '/dev/null');
    await expectPkiError(assertAcceptableCaCertificate(pem), 'NOT_A_CA');
  });

  test('refuses a CA whose keyUsage lacks keyCertSign with NOT_A_CA', async () => {
    const pem = opensslCa('no-cert-sign', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-addext', 'keyUsage=critical,digitalSignature');
    await expectPkiError(assertAcceptableCaCertificate(pem), 'NOT_A_CA');
  });

  test.each([
    ['RSA-1024', ['-newkey', 'rsa:1024']],
    ['secp256k1', ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:secp256k1']],
    ['Ed25519', ['-newkey', 'ed25519']],
  ])('refuses a %s CA with UNSUPPORTED_KEY', async (name, args) => {
    await expectPkiError(assertAcceptableCaCertificate(opensslCa(`weak-${name}`, ...args)), 'UNSUPPORTED_KEY');
  });

  test('refuses a SHA-1 signed CA with UNSUPPORTED_SIGNATURE', async () => {
    await expectPkiError(assertAcceptableCaCertificate(opensslCa('sha1', '-newkey', 'rsa:2048', '-sha1')), 'UNSUPPORTED_SIGNATURE');
  });

  test('refuses an expired CA with EXPIRED and a future one with NOT_YET_VALID', async () => {
    const past = await createCaCertificate({ subject: { commonName: 'Old Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 1, now: new Date(Date.now() - 10 * 86_400_000) });
    await expectPkiError(assertAcceptableCaCertificate(past.certificatePem), 'EXPIRED');
    const future = await createCaCertificate({ subject: { commonName: 'Future Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 10, now: new Date(Date.now() + 86_400_000) });
    await expectPkiError(assertAcceptableCaCertificate(future.certificatePem), 'NOT_YET_VALID');
  });

  test('refuses a self-signed CA whose signature does not verify with BAD_SIGNATURE', async () => {
    const der = Buffer.from(opensslCa('tampered', '-newkey', 'rsa:2048').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    der[der.length - 1] ^= 0x01; // eslint-disable-line no-bitwise
    const pem = `-----BEGIN CERTIFICATE-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END CERTIFICATE-----\n`;
    await expectPkiError(assertAcceptableCaCertificate(pem), 'BAD_SIGNATURE');
  });

  test('refuses garbage and a chain of two certificates with MALFORMED_PEM', async () => {
    await expectPkiError(assertAcceptableCaCertificate('garbage'), 'MALFORMED_PEM');
    await expectPkiError(assertAcceptableCaCertificate(ourCa.certificatePem + ourCa.certificatePem), 'MALFORMED_PEM');
    await expectPkiError(assertAcceptableCaCertificate(ourCa.privateKeyPem), 'MALFORMED_PEM');
  });
});
