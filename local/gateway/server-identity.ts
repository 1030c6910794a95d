import { createPrivateKey, X509Certificate } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createCaCertificate, issueServerCertificateWithNewKey } from '../../lambda-assets/shared/pki';

/** The local stand-in for Amazon's server certificates: a root CA and a certificate for localhost. */
export interface ServerIdentity {
  readonly caCertificatePem: string;
  readonly certificatePem: string;
  readonly privateKeyPem: string;
  /** Where the CA certificate was written, for devices to trust (like AmazonRootCA1.pem). */
  readonly caCertificatePath: string;
}

/** A kept identity is made anew when its server certificate has less than this left. */
const MINIMUM_REMAINING_MS = 24 * 60 * 60 * 1000;

/**
 * The server CA and the `localhost` / 127.0.0.1 certificate under `directory`: the ones a previous
 * start wrote there while they are still good (devices that trust the CA keep working across a
 * restart, as Amazon's roots do not change), else fresh ones.
 */
export async function createServerIdentity(directory: string): Promise<ServerIdentity> {
  return readServerIdentity(directory) ?? makeServerIdentity(directory);
}

/** The identity written to `directory`, if all of it is there, fits together and has a day left. */
export function readServerIdentity(directory: string, now: number = Date.now()): ServerIdentity | undefined {
  const caCertificatePath = join(directory, 'server-ca.pem');
  const files = [caCertificatePath, join(directory, 'server.pem'), join(directory, 'server.key.pem')];
  if (!files.every((file) => existsSync(file))) return undefined;
  try {
    const [caCertificatePem, certificatePem, privateKeyPem] = files.map((file) => readFileSync(file, 'utf8'));
    const ca = new X509Certificate(caCertificatePem);
    const server = new X509Certificate(certificatePem);
    const fits = server.checkIssued(ca) && server.verify(ca.publicKey) && server.checkPrivateKey(createPrivateKey(privateKeyPem));
    const fresh = Date.parse(server.validTo) - now > MINIMUM_REMAINING_MS && Date.parse(ca.validTo) - now > MINIMUM_REMAINING_MS;
    return fits && fresh ? { caCertificatePem, certificatePem, privateKeyPem, caCertificatePath } : undefined;
  } catch {
    return undefined; // unreadable: made anew
  }
}

async function makeServerIdentity(directory: string): Promise<ServerIdentity> {
  const ca = await createCaCertificate({
    subject: { commonName: 'cdk-iot-security local cloud root CA', organizationName: 'cdk-iot-security' },
    keyAlgorithm: 'ECDSA-P256',
    validityDays: 30,
  });
  const server = await issueServerCertificateWithNewKey(ca.authority, {
    keyAlgorithm: 'ECDSA-P256',
    commonName: 'localhost',
    dnsNames: ['localhost'],
    ipAddresses: ['127.0.0.1'],
    validityDays: 30,
  });
  mkdirSync(directory, { recursive: true });
  const caCertificatePath = join(directory, 'server-ca.pem');
  writeFileSync(caCertificatePath, ca.certificatePem);
  writeFileSync(join(directory, 'server.pem'), server.certificatePem);
  writeFileSync(join(directory, 'server.key.pem'), server.privateKeyPem, { mode: 0o600 });
  return { caCertificatePem: ca.certificatePem, certificatePem: server.certificatePem, privateKeyPem: server.privateKeyPem, caCertificatePath };
}
