import { X509Certificate } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { AMAZON_ROOT_CA_1, AMAZON_ROOT_CA_3, AMAZON_ROOT_CA_PEMS } from '../../../../lambda-assets/shared/iot/amazon-root-cas';
import { OpensslWorkspace } from '../pki/openssl';

const openssl = new OpensslWorkspace();
afterAll(() => openssl.dispose());

/** Amazon Trust Services' published SHA-256 fingerprints (https://www.amazontrust.com/repository/). */
const ROOTS = [
  {
    name: 'AmazonRootCA1',
    pem: AMAZON_ROOT_CA_1,
    subject: 'C=US\nO=Amazon\nCN=Amazon Root CA 1',
    fingerprint: '8E:CD:E6:88:4F:3D:87:B1:12:5B:A3:1A:C3:FC:B1:3D:70:16:DE:7F:57:CC:90:4F:E1:CB:97:C6:AE:98:19:6E',
    keyType: 'rsa',
    trustStoreFile: '/etc/ssl/certs/Amazon_Root_CA_1.pem',
  },
  {
    name: 'AmazonRootCA3',
    pem: AMAZON_ROOT_CA_3,
    subject: 'C=US\nO=Amazon\nCN=Amazon Root CA 3',
    fingerprint: '18:CE:6C:FE:7B:F1:4E:60:B2:E3:47:B8:DF:E8:68:CB:31:D0:2E:BB:3A:DA:27:15:69:F5:03:43:B4:6D:B3:A4',
    keyType: 'ec',
    trustStoreFile: '/etc/ssl/certs/Amazon_Root_CA_3.pem',
  },
] as const;

describe.each(ROOTS)('$name', (root) => {
  test('parses, is a self-signed CA with the published fingerprint', () => {
    const certificate = new X509Certificate(root.pem);
    expect(certificate.subject).toBe(root.subject);
    expect(certificate.issuer).toBe(root.subject);
    expect(certificate.ca).toBe(true);
    expect(certificate.verify(certificate.publicKey)).toBe(true);
    expect(certificate.publicKey.asymmetricKeyType).toBe(root.keyType);
    expect(certificate.fingerprint256).toBe(root.fingerprint);
    expect(new Date(certificate.validTo).getUTCFullYear()).toBeGreaterThanOrEqual(2038);
    // OpenSSL accepts it as its own trust anchor.
    expect(openssl.verify(root.pem, root.pem)).toMatch(/: OK$/);
    expect(AMAZON_ROOT_CA_PEMS[root.name]).toBe(root.pem);
  });

  (existsSync(root.trustStoreFile) ? test : test.skip)('is the certificate of the OS trust store, byte for byte', () => {
    const fromStore = new X509Certificate(readFileSync(root.trustStoreFile));
    expect(new X509Certificate(root.pem).raw.equals(fromStore.raw)).toBe(true);
    expect(root.pem).toBe(readFileSync(root.trustStoreFile, 'utf8').trim() + '\n');
  });
});

test('the response map holds exactly the two roots', () => {
  expect(Object.keys(AMAZON_ROOT_CA_PEMS)).toEqual(['AmazonRootCA1', 'AmazonRootCA3']);
  expect(Object.isFrozen(AMAZON_ROOT_CA_PEMS)).toBe(true);
});
