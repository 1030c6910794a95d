import { generateKeyPairSync } from 'node:crypto';
import * as forge from 'node-forge';

/**
 * The baseline: device certificate issuance the way the older tools do it, with node-forge.
 * forge.pki.rsa.generateKeyPair(2048) called synchronously hands key generation to Node's
 * native crypto.generateKeyPairSync when it is available and forge.options.usePureJavaScript
 * is off (both true here, see forgeUsesNativeKeyGeneration), then parses the PEM back into
 * forge objects. Certificate building and the RSA signature itself are pure JavaScript.
 */
export interface ForgeCa {
  readonly certificate: forge.pki.Certificate;
  readonly privateKey: forge.pki.rsa.PrivateKey;
}

/** True when forge's key generation above runs natively (what the table notes). */
export function forgeUsesNativeKeyGeneration(): boolean {
  // forge.options exists at runtime but not in @types/node-forge.
  const options = (forge as unknown as { options?: { usePureJavaScript?: boolean } }).options;
  return options?.usePureJavaScript !== true && typeof generateKeyPairSync === 'function';
}

export function createForgeCa(): ForgeCa {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = randomSerialHex();
  certificate.validity.notBefore = new Date();
  certificate.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  const name = [{ name: 'commonName', value: 'Forge Bench Root' }, { name: 'organizationName', value: 'Bench' }];
  certificate.setSubject(name);
  certificate.setIssuer(name);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(keys.privateKey, forge.md.sha256.create());
  return { certificate, privateKey: keys.privateKey };
}

/** One device: RSA-2048 key pair, certificate signed by the CA with SHA-256, both as PEM. */
export function issueWithForge(ca: ForgeCa, commonName: string): { certificatePem: string; privateKeyPem: string } {
  const keys = forge.pki.rsa.generateKeyPair(2048);
  const certificate = forge.pki.createCertificate();
  certificate.publicKey = keys.publicKey;
  certificate.serialNumber = randomSerialHex();
  certificate.validity.notBefore = new Date();
  certificate.validity.notAfter = new Date(Date.now() + 365 * 86_400_000);
  certificate.setSubject([{ name: 'commonName', value: commonName }]);
  certificate.setIssuer(ca.certificate.subject.attributes);
  certificate.setExtensions([
    { name: 'basicConstraints', cA: false, critical: true },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', clientAuth: true },
    { name: 'subjectKeyIdentifier' },
  ]);
  certificate.sign(ca.privateKey, forge.md.sha256.create());
  return { certificatePem: forge.pki.certificateToPem(certificate), privateKeyPem: forge.pki.privateKeyToPem(keys.privateKey) };
}

/** Positive 128-bit serial (forge takes hex and does not fix the sign for us). */
function randomSerialHex(): string {
  return '01' + forge.util.bytesToHex(forge.random.getBytesSync(15));
}
