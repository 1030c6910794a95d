import { requireKeyAlgorithm, type KeyAlgorithm } from './algorithms';
import { signingContextOf, type CertificateAuthority } from './authority';
import { signWithAuthority } from './certificate-signing';
import { deviceExtensions } from './extensions';
import { exportSubjectPublicKeyInfo, generateKeyPair } from './keys';
import { encodePem } from './pem';
import { keyIdentifierOf, requireAcceptedPublicKey } from './public-key-info';
import { subtle, type Bytes, type CryptoKey } from './runtime';
import { encodeSubject, validateSubject, type SubjectFields } from './subject';
import { validityWindow, type ValidityWindow } from './validity';

export interface IssueDeviceCertificateOptions {
  /** The device's public key (from a CSR, or generated for it). */
  publicKey: CryptoKey;
  subject: SubjectFields;
  validityDays: number;
  /** Issuance time; defaults to the current time. */
  now?: Date;
}

export interface IssueDeviceCertificateWithNewKeyOptions {
  keyAlgorithm: KeyAlgorithm;
  subject: SubjectFields;
  validityDays: number;
}

export interface IssuedDeviceCertificate {
  certificatePem: string;
  certificateId: string;
}

export interface IssuedDeviceCertificateWithKey extends IssuedDeviceCertificate {
  privateKeyPem: string;
  publicKeyPem: string;
}

/**
 * Issues a TLS client certificate for a device key. The signature algorithm follows the CA's
 * key, not the device's: an ECDSA CA signs RSA device keys and vice versa.
 */
export async function issueDeviceCertificate(
  authority: CertificateAuthority,
  options: IssueDeviceCertificateOptions,
): Promise<IssuedDeviceCertificate> {
  const subject = encodeSubject(validateSubject(options.subject));
  const validity = validityWindow(options.validityDays, options.now);
  const subjectPublicKeyInfo = await exportSubjectPublicKeyInfo(options.publicKey);
  return issueForPublicKeyInfo(authority, subjectPublicKeyInfo, subject, validity);
}

/**
 * Generates a key pair for a device that cannot make its own and certifies it. The private key
 * is returned once, as PEM, and never kept.
 */
export async function issueDeviceCertificateWithNewKey(
  authority: CertificateAuthority,
  options: IssueDeviceCertificateWithNewKeyOptions,
): Promise<IssuedDeviceCertificateWithKey> {
  // Validate before the (for RSA, slow) key generation, so bad input costs nothing.
  const keyAlgorithm = requireKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
  const subject = encodeSubject(validateSubject(options.subject));
  const validity = validityWindow(options.validityDays);

  const keys = await generateKeyPair(keyAlgorithm);
  // Both exports are started together: WebCrypto runs them off the main thread.
  const [spki, pkcs8] = await Promise.all([subtle.exportKey('spki', keys.publicKey), subtle.exportKey('pkcs8', keys.privateKey)]);
  const subjectPublicKeyInfo = new Uint8Array(spki);
  const issued = await issueForPublicKeyInfo(authority, subjectPublicKeyInfo, subject, validity);
  return {
    ...issued,
    privateKeyPem: encodePem(pkcs8, 'PRIVATE KEY'),
    publicKeyPem: encodePem(subjectPublicKeyInfo, 'PUBLIC KEY'),
  };
}

async function issueForPublicKeyInfo(
  authority: CertificateAuthority,
  subjectPublicKeyInfo: Bytes,
  subject: Buffer,
  validity: ValidityWindow,
): Promise<IssuedDeviceCertificate> {
  const deviceKey = requireAcceptedPublicKey(subjectPublicKeyInfo, 'the device key');
  const { authorityKeyIdentifier } = signingContextOf(authority);
  const signed = await signWithAuthority(authority, {
    subject,
    subjectPublicKeyInfo,
    validity,
    extensions: deviceExtensions(deviceKey.family, authorityKeyIdentifier, keyIdentifierOf(subjectPublicKeyInfo)),
  });
  return { certificatePem: signed.certificatePem, certificateId: signed.certificateId };
}
