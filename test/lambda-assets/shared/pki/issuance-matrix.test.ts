import { webcrypto } from 'node:crypto';
import { extensionLine, keyIdentifierIn, OpensslWorkspace, serialNumberContent, signatureAlgorithmsIn } from './openssl';
import {
  certificateIdOf,
  createCaCertificate,
  inspectCertificate,
  isIssuedBy,
  issueDeviceCertificate,
  issueDeviceCertificateWithNewKey,
  type GeneratedCa,
  type KeyAlgorithm,
} from '../../../../lambda-assets/shared/pki';

/**
 * Every CA key algorithm against every device key algorithm, each result judged by OpenSSL.
 * Keys are generated once, in parallel, in beforeAll; the tests only inspect.
 */
const CA_ALGORITHMS: KeyAlgorithm[] = ['RSA-2048', 'ECDSA-P256', 'ECDSA-P384'];
const DEVICE_ALGORITHMS: KeyAlgorithm[] = ['RSA-2048', 'RSA-3072', 'ECDSA-P256', 'ECDSA-P384'];

const EXPECTED_SIGNATURE: Record<string, string> = {
  'RSA-2048': 'sha256WithRSAEncryption',
  'RSA-4096': 'sha256WithRSAEncryption',
  'ECDSA-P256': 'ecdsa-with-SHA256',
  'ECDSA-P384': 'ecdsa-with-SHA384',
};
const EXPECTED_PUBLIC_KEY: Record<string, string> = {
  'RSA-2048': 'Public-Key: (2048 bit)',
  'RSA-3072': 'Public-Key: (3072 bit)',
  'RSA-4096': 'Public-Key: (4096 bit)',
  'ECDSA-P256': 'NIST CURVE: P-256',
  'ECDSA-P384': 'NIST CURVE: P-384',
};

/** [CA algorithm, device algorithm]: the full matrix, plus RSA-4096 once as CA and once as device key. */
const CELLS: Array<[KeyAlgorithm, KeyAlgorithm]> = [
  ...CA_ALGORITHMS.flatMap(ca => DEVICE_ALGORITHMS.map(device => [ca, device] as [KeyAlgorithm, KeyAlgorithm])),
  ['RSA-4096', 'ECDSA-P256'],
  ['ECDSA-P256', 'RSA-4096'],
];

interface Issued {
  caAlgorithm: KeyAlgorithm;
  deviceAlgorithm: KeyAlgorithm;
  ca: GeneratedCa;
  certificatePem: string;
  certificateId: string;
  privateKeyPem?: string;
}

const openssl = new OpensslWorkspace();
const cas = new Map<KeyAlgorithm, GeneratedCa>();
const issued: Issued[] = [];
const NOW = new Date();

beforeAll(async () => {
  const all = [...CA_ALGORITHMS, 'RSA-4096' as const];
  await Promise.all(all.map(async algorithm => {
    cas.set(algorithm, await createCaCertificate({
      subject: { commonName: `Matrix Root ${algorithm}`, organizationName: 'cdk-iot-security tests', countryName: 'DE' },
      keyAlgorithm: algorithm,
      validityDays: 3650,
      now: NOW,
    }));
  }));
  // RSA-4096 once each way, without a second 4096-bit key generation: the RSA-4096 CA signs a
  // P-256 device, and the P-256 CA certifies the RSA-4096 CA's own public key as a device key.
  const withNewKey = CELLS.filter(([, deviceAlgorithm]) => deviceAlgorithm !== 'RSA-4096');
  await Promise.all(withNewKey.map(async ([caAlgorithm, deviceAlgorithm]) => {
    const ca = cas.get(caAlgorithm)!;
    const result = await issueDeviceCertificateWithNewKey(ca.authority, {
      keyAlgorithm: deviceAlgorithm,
      subject: { commonName: `device-${caAlgorithm}-${deviceAlgorithm}`, organizationName: 'Devices' },
      validityDays: 365,
    });
    issued.push({ caAlgorithm, deviceAlgorithm, ca, ...result });
  }));
  const rsa4096 = cas.get('RSA-4096')!;
  const rsa4096PublicKey = await importSpkiPem(rsa4096.publicKeyPem, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' });
  const p256Ca = cas.get('ECDSA-P256')!;
  const fromPublicKey = await issueDeviceCertificate(p256Ca.authority, {
    publicKey: rsa4096PublicKey,
    subject: { commonName: 'device-ECDSA-P256-RSA-4096' },
    validityDays: 30,
  });
  issued.push({ caAlgorithm: 'ECDSA-P256', deviceAlgorithm: 'RSA-4096', ca: p256Ca, ...fromPublicKey });
}, 60_000);

afterAll(() => openssl.dispose());

function cellFor(caAlgorithm: KeyAlgorithm, deviceAlgorithm: KeyAlgorithm): Issued {
  const cell = issued.find(candidate => candidate.caAlgorithm === caAlgorithm && candidate.deviceAlgorithm === deviceAlgorithm);
  if (!cell) {
    throw new Error(`no certificate was issued for ${caAlgorithm} CA, ${deviceAlgorithm} device`);
  }
  return cell;
}

async function importSpkiPem(pem: string, algorithm: webcrypto.RsaHashedImportParams | webcrypto.EcKeyImportParams) {
  const der = Buffer.from(pem.replace(/-----[^-]+-----|\s/g, ''), 'base64');
  return webcrypto.subtle.importKey('spki', der, algorithm, true, ['verify']);
}

describe('CA certificates', () => {
  test.each([...CA_ALGORITHMS, 'RSA-4096'])('%s CA is a self-signed, critical CA:TRUE root with keyCertSign and cRLSign', algorithm => {
    const ca = cas.get(algorithm as KeyAlgorithm)!;
    expect(openssl.verify(ca.certificatePem, ca.certificatePem)).toBe('cert.pem: OK');
    const text = openssl.text(ca.certificatePem);
    expect(extensionLine(text, 'Basic Constraints')).toEqual({ critical: true, value: 'CA:TRUE' });
    expect(extensionLine(text, 'Key Usage')).toEqual({ critical: true, value: 'Certificate Sign, CRL Sign' });
    expect(keyIdentifierIn(text, 'Subject Key Identifier')).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(signatureAlgorithmsIn(text)).toEqual([EXPECTED_SIGNATURE[algorithm], EXPECTED_SIGNATURE[algorithm]]);
    expect(text).toContain(EXPECTED_PUBLIC_KEY[algorithm]);
    expect(text).toContain('Issuer: C = DE, O = cdk-iot-security tests, CN = Matrix Root');
  });

  test('validity runs from five minutes before issuance to validityDays after it', () => {
    const info = inspectCertificate(cas.get('ECDSA-P256')!.certificatePem);
    const nowSeconds = Math.floor(NOW.getTime() / 1000) * 1000;
    expect(info.notBefore.getTime()).toBe(nowSeconds - 5 * 60 * 1000);
    expect(info.notAfter.getTime()).toBe(nowSeconds + 3650 * 24 * 60 * 60 * 1000);
    expect(info.isCa).toBe(true);
  });

  test('returns matching PEMs and the AWS IoT certificate id', () => {
    const ca = cas.get('ECDSA-P384')!;
    expect(ca.certificateId).toBe(openssl.sha256OfDer(ca.certificatePem));
    const keyFile = openssl.write('ca-p384.key', ca.privateKeyPem);
    const publicFromPrivate = openssl.run('pkey', '-in', keyFile, '-pubout');
    expect(publicFromPrivate).toBe(ca.publicKeyPem);
    expect(openssl.run('x509', '-in', openssl.write('ca-p384.pem', ca.certificatePem), '-noout', '-pubkey')).toBe(ca.publicKeyPem);
    expect(ca.authority.certificatePem).toBe(ca.certificatePem);
  });
});

describe('device certificates, CA x device key algorithm', () => {
  test('all 14 combinations were issued', () => {
    expect(issued).toHaveLength(CELLS.length);
  });

  test.each(CELLS)('%s CA, %s device: openssl verifies it, and it carries the device extensions', (caAlgorithm, deviceAlgorithm) => {
    const cell = cellFor(caAlgorithm, deviceAlgorithm);
    expect(openssl.verify(cell.ca.certificatePem, cell.certificatePem)).toBe('cert.pem: OK');
    const text = openssl.text(cell.certificatePem);
    const caSubjectKeyId = keyIdentifierIn(openssl.text(cell.ca.certificatePem), 'Subject Key Identifier');
    expect(extensionLine(text, 'Basic Constraints')).toEqual({ critical: true, value: 'CA:FALSE' });
    expect(extensionLine(text, 'Key Usage')).toEqual({
      critical: true,
      // keyEncipherment only for RSA keys: an EC key cannot encipher.
      value: deviceAlgorithm.startsWith('RSA') ? 'Digital Signature, Key Encipherment' : 'Digital Signature',
    });
    expect(extensionLine(text, 'Extended Key Usage')).toEqual({ critical: false, value: 'TLS Web Client Authentication' });
    expect(caSubjectKeyId).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(keyIdentifierIn(text, 'Authority Key Identifier')).toBe(caSubjectKeyId);
    expect(keyIdentifierIn(text, 'Subject Key Identifier')).toMatch(/^([0-9A-F]{2}:){19}[0-9A-F]{2}$/);
    expect(keyIdentifierIn(text, 'Subject Key Identifier')).not.toBe(caSubjectKeyId);
    // The signature follows the CA's key, whatever the device key is.
    expect(signatureAlgorithmsIn(text)).toEqual([EXPECTED_SIGNATURE[caAlgorithm], EXPECTED_SIGNATURE[caAlgorithm]]);
    expect(text).toContain(EXPECTED_PUBLIC_KEY[deviceAlgorithm]);
    expect(text).toMatch(new RegExp(`Subject: (O = Devices, )?CN = device-${caAlgorithm}-${deviceAlgorithm}\\n`));
  });

  test('the returned private key belongs to the certificate', () => {
    for (const cell of issued) {
      const name = `${cell.caAlgorithm} CA, ${cell.deviceAlgorithm} device`;
      if (!cell.privateKeyPem) {
        continue;
      }
      const keyFile = openssl.write(`device-${cell.caAlgorithm}-${cell.deviceAlgorithm}.key`, cell.privateKeyPem);
      const certificateFile = openssl.write(`device-${cell.caAlgorithm}-${cell.deviceAlgorithm}.pem`, cell.certificatePem);
      expect(cell.privateKeyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
      expect([name, openssl.run('pkey', '-in', keyFile, '-pubout')]).toEqual([name, openssl.run('x509', '-in', certificateFile, '-noout', '-pubkey')]);
    }
  });

  test('serial numbers are positive, DER-minimal, at most 17 bytes and all different', () => {
    const serials = new Set<string>();
    const everything = [...issued.map(cell => cell.certificatePem), ...[...cas.values()].map(ca => ca.certificatePem)];
    for (const pem of everything) {
      const content = serialNumberContent(openssl.der(pem));
      expect(content[0]).toBeLessThan(0x80); // positive
      if (content[0] === 0) {
        expect(content[1]).toBeGreaterThanOrEqual(0x80); // a leading zero only where the sign needs it
      }
      expect(content.length).toBeLessThanOrEqual(17);
      serials.add(content.toString('hex'));
    }
    expect(serials.size).toBe(everything.length);
  });

  test('certificate ids are the SHA-256 of the DER, as `openssl x509 -outform DER | sha256sum` computes', () => {
    for (const cell of issued) {
      const expected = openssl.sha256OfDer(cell.certificatePem);
      expect(cell.certificateId).toBe(expected);
      expect(certificateIdOf(cell.certificatePem)).toBe(expected);
      expect(inspectCertificate(cell.certificatePem).certificateId).toBe(expected);
    }
  });

  test('inspectCertificate reads back what was issued, serial as openssl prints it', () => {
    for (const cell of issued) {
      const info = inspectCertificate(cell.certificatePem);
      const opensslSerial = openssl.run('x509', '-noout', '-serial', '-in', openssl.write(`serial-${info.certificateId}.pem`, cell.certificatePem));
      expect(info.serialNumber).toBe(opensslSerial.trim().replace(/^serial=/, '').toLowerCase());
      expect(info.isCa).toBe(false);
      expect(info.keyDescription).toBe(cell.deviceAlgorithm);
      expect(info.issuerName).toBe(inspectCertificate(cell.ca.certificatePem).subjectName);
      expect(info.subject.commonName).toMatch(/^device-/);
    }
  });

  test('isIssuedBy accepts the issuing CA and refuses the others', async () => {
    for (const cell of issued) {
      for (const [algorithm, ca] of cas) {
        await expect(isIssuedBy(cell.certificatePem, ca.certificatePem)).resolves.toBe(algorithm === cell.caAlgorithm);
      }
    }
  });
});
