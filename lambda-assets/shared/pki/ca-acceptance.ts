import { isCaCertificate, parseCertificatePem } from './certificate-parsing';
import { pkiError } from './errors';
import { describeCertificate, type CertificateInfo } from './inspect';
import { requireAcceptedPublicKey } from './public-key-info';
import { x509 } from './runtime';
import { isSelfIssued, verifiesWith } from './signature-check';
import { CLOCK_SKEW_ALLOWANCE_MS } from './validity';

const ACCEPTED_SIGNATURE_SCHEMES = new Set(['RSASSA-PKCS1-v1_5', 'ECDSA']);
const ACCEPTED_SIGNATURE_HASHES = new Set(['SHA-256', 'SHA-384', 'SHA-512']);

/**
 * Checks a CA certificate a user brings before we register it with AWS IoT, so the user hears
 * what is wrong from us and not as a CertificateValidationException halfway through a deployment:
 * - a real CA: basicConstraints CA:TRUE, and keyUsage (if present) allows keyCertSign (NOT_A_CA);
 * - a key AWS IoT accepts (UNSUPPORTED_KEY) and a SHA-2 RSA PKCS#1 v1.5 or ECDSA signature (UNSUPPORTED_SIGNATURE);
 * - currently valid (EXPIRED, NOT_YET_VALID);
 * - self-consistent: a self-issued certificate must verify with its own key (BAD_SIGNATURE).
 *   An intermediate's signature cannot be checked without its issuer and is left to AWS IoT.
 */
export async function assertAcceptableCaCertificate(pem: string, now: Date = new Date()): Promise<CertificateInfo> {
  const { certificate, der } = parseCertificatePem(pem, 'CA certificate');
  let info: CertificateInfo;
  let keyUsage: x509.KeyUsagesExtension | null;
  let signatureAlgorithm: { name: string; hash?: { name: string } };
  try {
    info = describeCertificate(certificate, der);
    keyUsage = certificate.getExtension(x509.KeyUsagesExtension);
    signatureAlgorithm = certificate.signatureAlgorithm as typeof signatureAlgorithm;
  } catch (error) {
    throw pkiError('MALFORMED_PEM', `CA certificate fields do not parse (${(error as Error).message})`);
  }

  if (!isCaCertificate(certificate)) {
    throw pkiError('NOT_A_CA', 'the certificate is not a CA: it lacks basicConstraints CA:TRUE');
  }
  // KeyUsageFlags are distinct bits; the modulo arithmetic tests one without a bitwise operator.
  if (keyUsage && Math.floor(keyUsage.usages / x509.KeyUsageFlags.keyCertSign) % 2 === 0) {
    throw pkiError('NOT_A_CA', 'the certificate is not a CA: its keyUsage does not include keyCertSign');
  }
  requireAcceptedPublicKey(new Uint8Array(certificate.publicKey.rawData), 'the CA key');
  const hash = signatureAlgorithm.hash?.name;
  if (!ACCEPTED_SIGNATURE_SCHEMES.has(signatureAlgorithm.name) || !hash || !ACCEPTED_SIGNATURE_HASHES.has(hash)) {
    throw pkiError('UNSUPPORTED_SIGNATURE',
      `the CA certificate is signed with ${signatureAlgorithm.name}${hash ? `/${hash}` : ''}; AWS IoT wants RSA (PKCS#1 v1.5) or ECDSA with SHA-256, SHA-384 or SHA-512`);
  }
  if (info.notAfter.getTime() < now.getTime()) {
    throw pkiError('EXPIRED', `the CA certificate expired on ${info.notAfter.toISOString()}`);
  }
  if (info.notBefore.getTime() > now.getTime() + CLOCK_SKEW_ALLOWANCE_MS) {
    throw pkiError('NOT_YET_VALID', `the CA certificate is not valid before ${info.notBefore.toISOString()}`);
  }
  if (isSelfIssued(certificate) && !await verifiesWith(certificate, certificate)) {
    throw pkiError('BAD_SIGNATURE', 'the self-signed CA certificate does not verify with its own key');
  }
  return info;
}
