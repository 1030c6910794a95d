import { extensionLine, keyIdentifierIn, OpensslWorkspace, signatureAlgorithmsIn } from './openssl';
import {
  createCaCertificate,
  createVerificationCertificate,
  inspectCertificate,
  isIssuedBy,
  PkiError,
  type GeneratedCa,
} from '../../../../lambda-assets/shared/pki';

const REGISTRATION_CODE = '6b5a3c8f0e2d4c1b9a7f6e5d4c3b2a1f0e9d8c7b6a5f4e3d2c1b0a9f8e7d6c5b';

const openssl = new OpensslWorkspace();
let rsaCa: GeneratedCa;
let p384Ca: GeneratedCa;

beforeAll(async () => {
  [rsaCa, p384Ca] = await Promise.all([
    createCaCertificate({ subject: { commonName: 'Verification RSA Root' }, keyAlgorithm: 'RSA-2048', validityDays: 30 }),
    createCaCertificate({ subject: { commonName: 'Verification P-384 Root' }, keyAlgorithm: 'ECDSA-P384', validityDays: 30 }),
  ]);
});

afterAll(() => openssl.dispose());

describe('createVerificationCertificate', () => {
  test.each([['RSA-2048 CA', () => rsaCa], ['ECDSA-P384 CA', () => p384Ca]])('%s: CN is the registration code and openssl verifies it against the CA', async (_, ca) => {
    const { certificatePem } = await createVerificationCertificate(ca().authority, REGISTRATION_CODE);
    expect(openssl.verify(ca().certificatePem, certificatePem)).toBe('cert.pem: OK');
    expect(openssl.subjectRfc2253(certificatePem)).toBe(`CN=${REGISTRATION_CODE}`);
    expect(inspectCertificate(certificatePem).subject).toEqual({ commonName: REGISTRATION_CODE });
    await expect(isIssuedBy(certificatePem, ca().certificatePem)).resolves.toBe(true);
    const text = openssl.text(certificatePem);
    expect(extensionLine(text, 'Basic Constraints')).toEqual({ critical: true, value: 'CA:FALSE' });
    expect(keyIdentifierIn(text, 'Authority Key Identifier')).toBe(keyIdentifierIn(openssl.text(ca().certificatePem), 'Subject Key Identifier'));
  });

  test('a P-384 CA signs it with SHA-384', async () => {
    const { certificatePem } = await createVerificationCertificate(p384Ca.authority, REGISTRATION_CODE);
    expect(signatureAlgorithmsIn(openssl.text(certificatePem))).toEqual(['ecdsa-with-SHA384', 'ecdsa-with-SHA384']);
  });

  test('defaults to a throw-away P-256 key valid for 7 days; both can be chosen', async () => {
    const byDefault = inspectCertificate((await createVerificationCertificate(rsaCa.authority, REGISTRATION_CODE)).certificatePem);
    expect(byDefault.keyDescription).toBe('ECDSA-P256');
    const days = (byDefault.notAfter.getTime() - byDefault.notBefore.getTime() - 5 * 60 * 1000) / 86_400_000;
    expect(days).toBeCloseTo(7, 3);

    const chosen = await createVerificationCertificate(rsaCa.authority, REGISTRATION_CODE, { keyAlgorithm: 'ECDSA-P384', validityDays: 1 });
    expect(inspectCertificate(chosen.certificatePem).keyDescription).toBe('ECDSA-P384');
    expect(openssl.verify(rsaCa.certificatePem, chosen.certificatePem)).toBe('cert.pem: OK');
  });

  test('is not signed by an unrelated CA', async () => {
    const { certificatePem } = await createVerificationCertificate(rsaCa.authority, REGISTRATION_CODE);
    await expect(isIssuedBy(certificatePem, p384Ca.certificatePem)).resolves.toBe(false);
    expect(openssl.verify(p384Ca.certificatePem, certificatePem)).toMatch(/unable to get local issuer certificate/);
  });

  test.each([[''], ['a'.repeat(65)], ['code\nwith newline']])('refuses registration code %j with BAD_SUBJECT', async code => {
    const attempt = createVerificationCertificate(rsaCa.authority, code);
    await expect(attempt).rejects.toBeInstanceOf(PkiError);
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_SUBJECT' });
  });
});
