import { requireKeyAlgorithm, type KeyAlgorithm } from './algorithms';
import { signingContextOf, type CertificateAuthority } from './authority';
import { signWithAuthority } from './certificate-signing';
import { serverExtensions } from './extensions';
import { generateKeyPair } from './keys';
import { encodePem } from './pem';
import { keyIdentifierOf, requireAcceptedPublicKey } from './public-key-info';
import { subtle } from './runtime';
import { encodeSubject, validateSubject } from './subject';
import { validityWindow } from './validity';

export interface IssueServerCertificateOptions {
  readonly keyAlgorithm: KeyAlgorithm;
  readonly commonName: string;
  /** Host names the certificate is valid for (subjectAltName dNSName). */
  readonly dnsNames: readonly string[];
  /** IP addresses the certificate is valid for (subjectAltName iPAddress). */
  readonly ipAddresses?: readonly string[];
  readonly validityDays: number;
}

/**
 * A TLS server certificate with a new key, for the local cloud's endpoints (the
 * stand-in for Amazon's server certificates). Not used by the deployed handlers.
 */
export async function issueServerCertificateWithNewKey(
  authority: CertificateAuthority,
  options: IssueServerCertificateOptions,
): Promise<{ certificatePem: string; privateKeyPem: string }> {
  const keyAlgorithm = requireKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
  if (options.dnsNames.length + (options.ipAddresses?.length ?? 0) === 0) {
    throw new Error('a server certificate needs at least one DNS name or IP address');
  }
  const subject = encodeSubject(validateSubject({ commonName: options.commonName }));
  const keys = await generateKeyPair(keyAlgorithm);
  const [spki, pkcs8] = await Promise.all([subtle.exportKey('spki', keys.publicKey), subtle.exportKey('pkcs8', keys.privateKey)]);
  const subjectPublicKeyInfo = new Uint8Array(spki);
  const key = requireAcceptedPublicKey(subjectPublicKeyInfo, 'the server key');
  const { authorityKeyIdentifier } = signingContextOf(authority);
  const signed = await signWithAuthority(authority, {
    subject,
    subjectPublicKeyInfo,
    validity: validityWindow(options.validityDays),
    extensions: serverExtensions(key.family, authorityKeyIdentifier, keyIdentifierOf(subjectPublicKeyInfo), {
      dnsNames: options.dnsNames,
      ipAddresses: options.ipAddresses ?? [],
    }),
  });
  return { certificatePem: signed.certificatePem, privateKeyPem: encodePem(pkcs8, 'PRIVATE KEY') };
}
