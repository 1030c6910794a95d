/**
 * POST /deviceCertificateGenerate under a CA whose key AWS KMS holds (caKeyStorage KMS): the vault
 * holds the CA certificate and a record naming the key, every device certificate is signed through
 * KMS Sign (a digest, never the key), and OpenSSL verifies the results. A KMS key that cannot sign
 * (pending deletion, the wrong key) gives nothing out. A CA made while the construct kept keys in
 * the vault still issues after the switch, and the other way round.
 */
import { SignCommand } from '@aws-sdk/client-kms';
import { PutObjectCommand } from '@aws-sdk/client-s3';
import { CsrFactory, useGeneratorHarness, vaultKey } from './support';
import { OpensslWorkspace } from '../shared/pki/openssl';

const openssl = new OpensslWorkspace();
const csrs = new CsrFactory();
const harness = useGeneratorHarness({ CA_KEY_STORAGE: 'KMS' });
const { kms, s3 } = harness;

afterAll(() => {
  openssl.dispose();
  csrs.dispose();
});

function signCalls() {
  return kms.commandCalls(SignCommand).map((call) => call.args[0].input);
}

describe.each([
  ['ECDSA-P256', 'ECDSA_SHA_256', 32, 'ecdsa-with-SHA256'],
  ['ECDSA-P384', 'ECDSA_SHA_384', 48, 'ecdsa-with-SHA384'],
  ['RSA-2048', 'RSASSA_PKCS1_V1_5_SHA_256', 32, 'sha256WithRSAEncryption'],
] as const)('a %s CA in KMS', (keyAlgorithm, signingAlgorithm, digestBytes, opensslAlgorithm) => {
  test('a CSR is certified through KMS Sign (a digest), the certificate verifies, and its record is kept', async () => {
    const ca = await harness.world.addCa({ source: 'kms', keyAlgorithm });
    expect(harness.world.objects.has(vaultKey(ca.certificateId, 'ca.private_key.pem'))).toBe(false);
    const { csrPem } = csrs.make('P-256', '/CN=kms-sensor-1');

    const response = await harness.post({ caCertificateId: ca.certificateId, csrPem });

    expect(response.statusCode).toBe(200);
    const certificatePem = response.body.certificatePem as string;
    expect(openssl.verify(ca.certificatePem, certificatePem)).toBe('cert.pem: OK');
    expect(openssl.text(certificatePem)).toContain(`Signature Algorithm: ${opensslAlgorithm}`);
    expect(response.body.caCertificatePem).toBe(ca.certificatePem);
    expect(signCalls()).toEqual([{ KeyId: ca.kmsKeyArn, Message: expect.any(Uint8Array), MessageType: 'DIGEST', SigningAlgorithm: signingAlgorithm }]);
    expect(signCalls()[0].Message).toHaveLength(digestBytes);
    expect(s3.commandCalls(PutObjectCommand).map((call) => call.args[0].input.Key)).toEqual([expect.stringMatching(/\/issued\/[0-9a-f]{64}\.json$/)]);
  });
});

test('key-generation mode: the device key is made here, the certificate signed by KMS', async () => {
  const ca = await harness.world.addCa({ source: 'kms' });
  const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'RSA-2048', subject: { commonName: 'kms-sensor-2' } });
  expect(response.statusCode).toBe(200);
  expect(openssl.verify(ca.certificatePem, response.body.certificatePem as string)).toBe('cert.pem: OK');
  expect(response.body.privateKeyPem).toMatch(/BEGIN PRIVATE KEY/);
  expect(signCalls()).toHaveLength(1);
  expect(harness.logs.raw()).not.toMatch(/PRIVATE KEY/);
});

test('a key pending deletion: 409 CaKeyUnavailable, nothing given out or stored', async () => {
  const ca = await harness.world.addCa({ source: 'kms' });
  harness.world.kmsKeys.get(ca.kmsKeyArn!)!.state = 'PendingDeletion';
  const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', '/CN=kms-sensor-3').csrPem });
  expect(response.statusCode).toBe(409);
  expect(response.body.error).toEqual({ code: 'CaKeyUnavailable', message: expect.stringContaining(ca.kmsKeyArn!) });
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
});

test('KMS throttling beyond the SDK\'s retries: 429 Throttled', async () => {
  const ca = await harness.world.addCa({ source: 'kms' });
  // KMS models no ThrottlingException class: the SDK names the error by its wire code.
  kms.on(SignCommand).rejects(Object.assign(new Error('Rate exceeded'), { name: 'ThrottlingException', $metadata: { httpStatusCode: 400 } }));
  const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', '/CN=kms-sensor-4').csrPem });
  expect(response.statusCode).toBe(429);
  expect(response.body.error).toMatchObject({ code: 'Throttled', message: expect.stringMatching(/KMS/) });
});

test('a record naming another key: the signature does not verify with the CA certificate, so nothing is given out (500)', async () => {
  const ca = await harness.world.addCa({ source: 'kms' });
  const other = await harness.world.addKmsKey('ECDSA-P256');
  harness.world.objects.set(vaultKey(ca.certificateId, 'ca.kms_key.json'),
    JSON.stringify({ keyArn: other.keyArn, keySpec: 'ECC_NIST_P256', signingAlgorithm: 'ECDSA_SHA_256' }));
  const response = await harness.post({ caCertificateId: ca.certificateId, csrPem: csrs.make('P-256', '/CN=kms-sensor-5').csrPem });
  expect(response.statusCode).toBe(500);
  expect(response.body.error).toMatchObject({ code: 'InternalError' });
  expect(harness.logs.raw()).toMatch(/does not verify with its public key/);
  expect(s3.commandCalls(PutObjectCommand)).toHaveLength(0);
});

test('a record that is not one is our fault (500), never a certificate', async () => {
  const ca = await harness.world.addCa({ source: 'kms' });
  harness.world.objects.set(vaultKey(ca.certificateId, 'ca.kms_key.json'), '{"keyArn": "not an ARN"}');
  const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'kms-sensor-6' } });
  expect(response.statusCode).toBe(500);
  expect(harness.logs.raw()).toMatch(/is not a KMS CA key record/);
});

test('a CA made while the construct kept keys in the vault still issues with its vault key (no KMS call)', async () => {
  const ca = await harness.world.addCa({ source: 'generated' });
  const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'legacy-sensor' } });
  expect(response.statusCode).toBe(200);
  expect(openssl.verify(ca.certificatePem, response.body.certificatePem as string)).toBe('cert.pem: OK');
  expect(signCalls()).toEqual([]);
});

test('an imported CA (neither a record nor a key in the vault) is still 400 CaKeyNotInVault', async () => {
  const ca = await harness.world.addCa({ source: 'imported' });
  const response = await harness.post({ caCertificateId: ca.certificateId, keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'x' } });
  expect(response.statusCode).toBe(400);
  expect(response.body.error).toMatchObject({ code: 'CaKeyNotInVault' });
  expect(signCalls()).toEqual([]);
});
