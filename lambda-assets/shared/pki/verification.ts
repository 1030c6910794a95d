import { requireKeyAlgorithm, type KeyAlgorithm } from './algorithms';
import { signingContextOf, type CertificateAuthority } from './authority';
import { signWithAuthority } from './certificate-signing';
import { verificationExtensions } from './extensions';
import { exportSubjectPublicKeyInfo, generateKeyPair } from './keys';
import { keyIdentifierOf } from './public-key-info';
import { encodeSubject, validateSubject } from './subject';
import { validityWindow } from './validity';

export interface VerificationCertificateOptions {
  /** Default 7: AWS IoT only checks it at registration, but a deployment may run some time after it is made. */
  validityDays?: number;
  /** Default ECDSA-P256: the key is thrown away, so the fastest one to generate. */
  keyAlgorithm?: KeyAlgorithm;
}

const DEFAULT_VALIDITY_DAYS = 7;
const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = 'ECDSA-P256';

/**
 * The certificate RegisterCACertificate (certificateMode DEFAULT) wants as proof that we hold
 * the CA key: subject CN = the account's registration code, signed by the CA. Its own key is
 * generated and discarded; nobody ever uses it.
 */
export async function createVerificationCertificate(
  authority: CertificateAuthority,
  registrationCode: string,
  options: VerificationCertificateOptions = {},
): Promise<{ certificatePem: string }> {
  const subject = encodeSubject(validateSubject({ commonName: registrationCode }, 'verification certificate subject (the registration code)'));
  const validity = validityWindow(options.validityDays ?? DEFAULT_VALIDITY_DAYS);
  const keys = await generateKeyPair(requireKeyAlgorithm(options.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM, 'keyAlgorithm'));
  const subjectPublicKeyInfo = await exportSubjectPublicKeyInfo(keys.publicKey);
  const signed = await signWithAuthority(authority, {
    subject,
    subjectPublicKeyInfo,
    validity,
    extensions: verificationExtensions(signingContextOf(authority).authorityKeyIdentifier, keyIdentifierOf(subjectPublicKeyInfo)),
  });
  return { certificatePem: signed.certificatePem };
}
