import { mkdirSync, writeFileSync } from 'node:fs';
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

/**
 * Makes a fresh server CA and a `localhost` / 127.0.0.1 certificate under `directory`.
 * Fresh per start: nothing outside this process ever trusts it for long.
 */
export async function createServerIdentity(directory: string): Promise<ServerIdentity> {
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
