import { keyIdentifierIn, OpensslWorkspace } from './openssl';
import {
  createCaCertificate,
  inspectCertificate,
  issueDeviceCertificateWithNewKey,
  loadCertificateAuthority,
  PkiError,
  type GeneratedCa,
  type WebCryptoSigner,
} from '../../../../lambda-assets/shared/pki';

const openssl = new OpensslWorkspace();
let rsaCa: GeneratedCa;
let otherRsaCa: GeneratedCa;
let p256Ca: GeneratedCa;

beforeAll(async () => {
  [rsaCa, otherRsaCa, p256Ca] = await Promise.all([
    createCaCertificate({ subject: { commonName: 'Load RSA Root' }, keyAlgorithm: 'RSA-2048', validityDays: 30 }),
    createCaCertificate({ subject: { commonName: 'Another RSA Root' }, keyAlgorithm: 'RSA-2048', validityDays: 30 }),
    createCaCertificate({ subject: { commonName: 'Load P-256 Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 }),
  ]);
});

afterAll(() => openssl.dispose());

async function expectPkiError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(PkiError);
  await expect(promise).rejects.toMatchObject({ code });
}

describe('loadCertificateAuthority', () => {
  test.each([['RSA-2048', () => rsaCa], ['ECDSA-P256', () => p256Ca]])('round-trips the exported %s PEMs into a CA that issues verifiable certificates', async (_, ca) => {
    const loaded = await loadCertificateAuthority(ca().certificatePem, ca().privateKeyPem);
    expect(loaded.certificatePem).toBe(ca().certificatePem);
    const { privateKey } = loaded.signer as WebCryptoSigner;
    expect(privateKey.type).toBe('private');
    expect(privateKey.extractable).toBe(false); // once loaded, the CA key never leaves WebCrypto
    const device = await issueDeviceCertificateWithNewKey(loaded, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'loaded' }, validityDays: 1 });
    expect(openssl.verify(ca().certificatePem, device.certificatePem)).toBe('cert.pem: OK');
    expect(inspectCertificate(device.certificatePem).issuerName).toBe(inspectCertificate(ca().certificatePem).subjectName);
  });

  test('rejects a private key of the same type that belongs to another CA, with KEY_MISMATCH', async () => {
    await expectPkiError(loadCertificateAuthority(rsaCa.certificatePem, otherRsaCa.privateKeyPem), 'KEY_MISMATCH');
  });

  test('rejects a private key of another type, with KEY_MISMATCH', async () => {
    await expectPkiError(loadCertificateAuthority(rsaCa.certificatePem, p256Ca.privateKeyPem), 'KEY_MISMATCH');
    await expectPkiError(loadCertificateAuthority(p256Ca.certificatePem, rsaCa.privateKeyPem), 'KEY_MISMATCH');
  });

  test('rejects a public key in place of the private key, with MALFORMED_PEM', async () => {
    await expectPkiError(loadCertificateAuthority(rsaCa.certificatePem, rsaCa.publicKeyPem), 'MALFORMED_PEM');
  });

  test('rejects garbage in either argument, with MALFORMED_PEM', async () => {
    await expectPkiError(loadCertificateAuthority('not a certificate', rsaCa.privateKeyPem), 'MALFORMED_PEM');
    await expectPkiError(
      loadCertificateAuthority(rsaCa.certificatePem, '-----BEGIN PRIVATE KEY-----\naGVsbG8=\n-----END PRIVATE KEY-----\n'),
      'MALFORMED_PEM',
    );
  });

  test('rejects a leaf certificate as a CA, with NOT_A_CA', async () => {
    const device = await issueDeviceCertificateWithNewKey(p256Ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'leaf' }, validityDays: 1 });
    await expectPkiError(loadCertificateAuthority(device.certificatePem, device.privateKeyPem), 'NOT_A_CA');
  });

  describe('CAs made with OpenSSL, keys in the traditional formats', () => {
    test.each([
      ['an RSA CA with a PKCS#1 "RSA PRIVATE KEY"', ['genrsa', '-traditional', '-out', 'pkcs1.key', '2048'], 'pkcs1.key', /^-----BEGIN RSA PRIVATE KEY-----/],
      ['a P-384 CA with a SEC1 "EC PRIVATE KEY"', ['ecparam', '-name', 'secp384r1', '-genkey', '-noout', '-out', 'sec1.key'], 'sec1.key', /^-----BEGIN EC PRIVATE KEY-----/],
      ['a P-521 CA with a PKCS#8 key', ['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-521', '-out', 'p521.key'], 'p521.key', /^-----BEGIN PRIVATE KEY-----/],
    ])('loads %s and issues with it', async (_, keyCommand, keyFile, keyLabel) => {
      openssl.run(...keyCommand);
      openssl.run('req', '-x509', '-new', '-key', keyFile, '-subj', `/CN=OpenSSL Root ${keyFile}`, '-days', '30', '-out', `${keyFile}.crt`);
      const caPem = openssl.read(`${keyFile}.crt`);
      const keyPem = openssl.read(keyFile);
      expect(keyPem).toMatch(keyLabel);

      const loaded = await loadCertificateAuthority(caPem, keyPem);
      const device = await issueDeviceCertificateWithNewKey(loaded, { keyAlgorithm: 'RSA-2048', subject: { commonName: 'from openssl ca' }, validityDays: 1 });
      expect(openssl.verify(caPem, device.certificatePem)).toBe('cert.pem: OK');
      // OpenSSL's CA has its own subject key identifier; ours must point at it.
      expect(keyIdentifierIn(openssl.text(device.certificatePem), 'Authority Key Identifier')).toBe(keyIdentifierIn(openssl.text(caPem), 'Subject Key Identifier'));
    });
  });
});
