/**
 * CAs whose key lives outside this process (AWS KMS): the same certificate builder, signing
 * through a `sign(tbsDer) => signatureDer` function. The signers here hold node:crypto keys and
 * answer as KMS does (DER ECDSA signatures, PKCS#1 v1.5 RSA signatures); OpenSSL judges the results.
 */
import { createHash, generateKeyPairSync, sign as nodeSign, type KeyObject } from 'node:crypto';
import { OpensslWorkspace } from './openssl';
import {
  createCaCertificate,
  createSelfSignedCa,
  createVerificationCertificate,
  inspectCertificate,
  issueDeviceCertificateWithNewKey,
  loadCertificateAuthorityWithSigner,
  PkiError,
  signatureParamsForPublicKey,
  type CertificateSigner,
  type SignatureParams,
} from '../../../../lambda-assets/shared/pki';

const openssl = new OpensslWorkspace();
afterAll(() => openssl.dispose());

type KeyKind = 'ECDSA-P256' | 'ECDSA-P384' | 'RSA-2048' | 'RSA-3072';

function nodeKeys(kind: KeyKind): { privateKey: KeyObject; spki: Uint8Array } {
  const { privateKey, publicKey } = kind.startsWith('ECDSA')
    ? generateKeyPairSync('ec', { namedCurve: kind === 'ECDSA-P256' ? 'P-256' : 'P-384' })
    : generateKeyPairSync('rsa', { modulusLength: Number(kind.slice(4)) });
  return { privateKey, spki: new Uint8Array(publicKey.export({ type: 'spki', format: 'der' })) };
}

const NODE_HASH: Record<SignatureParams['hash'], string> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/** A signer that, like KMS, holds the key and answers DER (ECDSA) or PKCS#1 v1.5 (RSA) signatures; it records what it signed. */
function remoteSigner(privateKey: KeyObject, algorithm: SignatureParams): CertificateSigner & { signed: Buffer[] } {
  const signed: Buffer[] = [];
  return {
    algorithm,
    signed,
    sign: async (toBeSigned) => {
      signed.push(Buffer.from(toBeSigned));
      return nodeSign(NODE_HASH[algorithm.hash], toBeSigned, { key: privateKey, dsaEncoding: 'der' });
    },
  };
}

async function expectPkiError(promise: Promise<unknown>, code: string): Promise<void> {
  await expect(promise).rejects.toBeInstanceOf(PkiError);
  await expect(promise).rejects.toMatchObject({ code });
}

describe.each<[KeyKind, string]>([
  ['ECDSA-P256', 'ecdsa-with-SHA256'],
  ['ECDSA-P384', 'ecdsa-with-SHA384'],
  ['RSA-2048', 'sha256WithRSAEncryption'],
])('a %s CA key held by a remote signer', (kind, opensslAlgorithm) => {
  test('self-signs the CA, signs a verification certificate and device certificates that openssl verifies', async () => {
    const { privateKey, spki } = nodeKeys(kind);
    const signer = remoteSigner(privateKey, signatureParamsForPublicKey(spki, 'the key'));
    const ca = await createSelfSignedCa({ subject: { commonName: `Remote ${kind} CA`, organizationName: 'Acme' }, validityDays: 30, subjectPublicKeyInfo: spki, signer });

    expect(openssl.verify(ca.certificatePem, ca.certificatePem)).toBe('cert.pem: OK');
    const text = openssl.text(ca.certificatePem);
    expect(text).toContain(`Signature Algorithm: ${opensslAlgorithm}`);
    expect(text).toMatch(/CA:TRUE/);
    expect(ca.certificateId).toBe(openssl.sha256OfDer(ca.certificatePem));
    expect(ca.publicKeyPem).toContain('BEGIN PUBLIC KEY');
    expect(ca).not.toHaveProperty('privateKeyPem');

    const verification = await createVerificationCertificate(ca.authority, 'a'.repeat(64));
    expect(openssl.verify(ca.certificatePem, verification.certificatePem)).toBe('cert.pem: OK');

    // Loaded again as the certificate generator does: from the certificate PEM and a signer for the key.
    const loaded = loadCertificateAuthorityWithSigner(ca.certificatePem, signer);
    const device = await issueDeviceCertificateWithNewKey(loaded, { keyAlgorithm: 'RSA-2048', subject: { commonName: 'remote-device' }, validityDays: 2 });
    expect(openssl.verify(ca.certificatePem, device.certificatePem)).toBe('cert.pem: OK');
    expect(inspectCertificate(device.certificatePem).issuerName).toBe(inspectCertificate(ca.certificatePem).subjectName);
    // The signer saw only TBSCertificates (DER SEQUENCEs), never a key.
    expect(signer.signed).toHaveLength(3);
    for (const tbs of signer.signed) expect(tbs[0]).toBe(0x30);
  });
});

test('the signer must sign as the key does: a P-384 key with SHA-256, or an RSA signer for an EC key, is KEY_MISMATCH', async () => {
  const p384 = nodeKeys('ECDSA-P384');
  const rsa = nodeKeys('RSA-2048');
  const subject = { commonName: 'Mismatch CA' };
  await expectPkiError(createSelfSignedCa({
    subject,
    validityDays: 1,
    subjectPublicKeyInfo: p384.spki,
    signer: remoteSigner(p384.privateKey, { name: 'ECDSA', hash: 'SHA-256' }),
  }), 'KEY_MISMATCH');
  await expectPkiError(createSelfSignedCa({
    subject,
    validityDays: 1,
    subjectPublicKeyInfo: p384.spki,
    signer: remoteSigner(rsa.privateKey, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }),
  }), 'KEY_MISMATCH');
});

test('a signer that holds another key of the right kind fails on its first signature (KEY_MISMATCH), before anything is issued', async () => {
  const ca = nodeKeys('ECDSA-P256');
  const other = nodeKeys('ECDSA-P256');
  const algorithm: SignatureParams = { name: 'ECDSA', hash: 'SHA-256' };
  await expectPkiError(createSelfSignedCa({
    subject: { commonName: 'Wrong key CA' },
    validityDays: 1,
    subjectPublicKeyInfo: ca.spki,
    signer: remoteSigner(other.privateKey, algorithm),
  }), 'KEY_MISMATCH');

  const good = await createSelfSignedCa({
    subject: { commonName: 'Right key CA' },
    validityDays: 1,
    subjectPublicKeyInfo: ca.spki,
    signer: remoteSigner(ca.privateKey, algorithm),
  });
  const swapped = loadCertificateAuthorityWithSigner(good.certificatePem, remoteSigner(other.privateKey, algorithm));
  await expectPkiError(issueDeviceCertificateWithNewKey(swapped, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'x' }, validityDays: 1 }), 'KEY_MISMATCH');
});

test('a signer that fails passes its error on', async () => {
  const { spki } = nodeKeys('ECDSA-P256');
  const failing: CertificateSigner = { algorithm: { name: 'ECDSA', hash: 'SHA-256' }, sign: async () => { throw new Error('KMS is unavailable'); } };
  await expect(createSelfSignedCa({ subject: { commonName: 'CA' }, validityDays: 1, subjectPublicKeyInfo: spki, signer: failing }))
    .rejects.toThrow('KMS is unavailable');
});

test('loadCertificateAuthorityWithSigner refuses a certificate that is not a CA (NOT_A_CA)', async () => {
  const ca = await createCaCertificate({ subject: { commonName: 'Real CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 1 });
  const device = await issueDeviceCertificateWithNewKey(ca.authority, { keyAlgorithm: 'ECDSA-P256', subject: { commonName: 'leaf' }, validityDays: 1 });
  expect(() => loadCertificateAuthorityWithSigner(device.certificatePem, ca.authority.signer)).toThrow(expect.objectContaining({ code: 'NOT_A_CA' }));
});

test('the WebCrypto path is unchanged: createCaCertificate still returns the private key and signs with the curve hash', async () => {
  const ca = await createCaCertificate({ subject: { commonName: 'Local CA' }, keyAlgorithm: 'ECDSA-P384', validityDays: 1 });
  expect(ca.privateKeyPem).toContain('BEGIN PRIVATE KEY');
  expect(ca.authority.signer.algorithm).toEqual({ name: 'ECDSA', hash: 'SHA-384' });
  expect(openssl.verify(ca.certificatePem, ca.certificatePem)).toBe('cert.pem: OK');
  // The certificate id is the SHA-256 of the DER in both paths.
  const der = openssl.der(ca.certificatePem);
  expect(ca.certificateId).toBe(createHash('sha256').update(der).digest('hex'));
});
