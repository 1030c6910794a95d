import { OpensslWorkspace } from './openssl';
import {
  createCaCertificate,
  exportPrivateKeyPem,
  exportPublicKeyPem,
  generateKeyPair,
  inspectCertificate,
  isKeyAlgorithm,
  issueDeviceCertificateWithNewKey,
  KEY_ALGORITHMS,
  PkiError,
} from '../../../../lambda-assets/shared/pki';
import { randomSerialNumber } from '../../../../lambda-assets/shared/pki/serial-number';

const openssl = new OpensslWorkspace();
afterAll(() => openssl.dispose());

describe('key algorithms', () => {
  test('lists exactly the five algorithms we generate', () => {
    expect(KEY_ALGORITHMS).toEqual(['RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384']);
    expect(Object.isFrozen(KEY_ALGORITHMS)).toBe(true);
  });

  test.each([['ECDSA-P256', true], ['RSA-2048', true], ['ECDSA-P521', false], ['rsa-2048', false], ['Ed25519', false], [2048, false], [undefined, false]])(
    'isKeyAlgorithm(%j) is %s', (value, expected) => {
      expect(isKeyAlgorithm(value)).toBe(expected);
    });

  test('generateKeyPair refuses an unknown algorithm with UNSUPPORTED_KEY', async () => {
    await expect(generateKeyPair('RSA-1024' as never)).rejects.toMatchObject({ code: 'UNSUPPORTED_KEY' });
    await expect(issueDeviceCertificateWithNewKey(undefined as never, { keyAlgorithm: 'DSA' as never, subject: { commonName: 'x' }, validityDays: 1 }))
      .rejects.toMatchObject({ code: 'UNSUPPORTED_KEY' });
  });
});

describe('key export', () => {
  test.each([['ECDSA-P384', 'ASN1 OID: secp384r1'], ['RSA-2048', 'Private-Key: (2048 bit, 2 primes)']] as const)(
    '%s keys export as PKCS#8 and SPKI PEM that OpenSSL reads', async (algorithm, opensslSays) => {
      const keys = await generateKeyPair(algorithm);
      const privatePem = await exportPrivateKeyPem(keys.privateKey);
      const publicPem = await exportPublicKeyPem(keys.publicKey);
      expect(privatePem).toMatch(/^-----BEGIN PRIVATE KEY-----\n([A-Za-z0-9+/=]{64}\n)*[A-Za-z0-9+/=]{1,64}\n-----END PRIVATE KEY-----\n$/);
      expect(publicPem).toMatch(/^-----BEGIN PUBLIC KEY-----\n/);
      const keyFile = openssl.write(`${algorithm}.key`, privatePem);
      expect(openssl.run('pkey', '-in', keyFile, '-noout', '-text')).toContain(opensslSays);
      expect(openssl.run('pkey', '-in', keyFile, '-pubout')).toBe(publicPem);
    });

  test('refuses to export the wrong half of a key pair', async () => {
    const keys = await generateKeyPair('ECDSA-P256');
    await expect(exportPrivateKeyPem(keys.publicKey)).rejects.toMatchObject({ code: 'UNSUPPORTED_KEY' });
    await expect(exportPublicKeyPem(keys.privateKey)).rejects.toMatchObject({ code: 'UNSUPPORTED_KEY' });
  });
});

describe('serial numbers', () => {
  test('are positive, DER-minimal, carry 128 random bits and never repeat', () => {
    const seen = new Set<string>();
    let withSignByte = 0;
    for (let i = 0; i < 5000; i++) {
      const content = randomSerialNumber();
      expect(content[0]).toBeLessThan(0x80);
      if (content[0] === 0) {
        expect(content[1]).toBeGreaterThanOrEqual(0x80); // the 0x00 is there only to keep the number positive
        withSignByte++;
      }
      expect(content.length).toBeLessThanOrEqual(17);
      seen.add(content.toString('hex'));
    }
    expect(seen.size).toBe(5000);
    // The top random bit is kept, not cleared: about half the serials need the sign byte.
    expect(withSignByte).toBeGreaterThan(2000);
    expect(withSignByte).toBeLessThan(3000);
  });
});

describe('validity', () => {
  test.each([[0], [-1], [Number.NaN], [Number.POSITIVE_INFINITY], ['10'], [36_501]])('refuses validityDays %j with BAD_VALIDITY', async validityDays => {
    const attempt = createCaCertificate({ subject: { commonName: 'x' }, keyAlgorithm: 'ECDSA-P256', validityDays: validityDays as number });
    await expect(attempt).rejects.toBeInstanceOf(PkiError);
    await expect(attempt).rejects.toMatchObject({ code: 'BAD_VALIDITY' });
  });

  test('dates from 2050 on are written as GeneralizedTime, which openssl reads back', async () => {
    const now = new Date('2040-06-01T12:00:00Z');
    const ca = await createCaCertificate({ subject: { commonName: 'Long Root' }, keyAlgorithm: 'ECDSA-P256', validityDays: 36_500, now });
    const asn1 = openssl.run('asn1parse', '-in', openssl.write('long.pem', ca.certificatePem));
    expect(asn1).toMatch(/UTCTIME\s+:400601115500Z/);
    expect(asn1).toMatch(/GENERALIZEDTIME\s+:21400508120000Z/);
    expect(openssl.run('x509', '-in', openssl.path('long.pem'), '-noout', '-enddate').trim()).toBe('notAfter=May  8 12:00:00 2140 GMT');
    expect(inspectCertificate(ca.certificatePem).notAfter.toISOString()).toBe('2140-05-08T12:00:00.000Z');
  });
});

describe('PkiError', () => {
  test('is an Error with a code and a name', () => {
    const error = new PkiError('NOT_A_CA', 'nope');
    expect(error).toBeInstanceOf(Error);
    expect(error).toMatchObject({ code: 'NOT_A_CA', message: 'nope', name: 'PkiError' });
  });
});
