import { createHash } from 'node:crypto';
import { signingContextOf, type CertificateAuthority } from './authority';
import { derBitString, derElement, derSequence, derTime, TAG } from './der-writer';
import { encodePem } from './pem';
import { randomSerialNumber } from './serial-number';
import { signatureAlgorithmIdentifier } from './signature-encoding';
import type { CertificateSigner } from './signer';
import type { ValidityWindow } from './validity';

/** Everything about a certificate that is not the issuer's to decide, each part already DER. */
export interface CertificateRequestParts {
  /** DER Name of the subject (built by subject.ts from validated fields). */
  readonly subject: Uint8Array;
  /** DER SubjectPublicKeyInfo of the key being certified. */
  readonly subjectPublicKeyInfo: Uint8Array;
  readonly validity: ValidityWindow;
  /** DER Extension elements, in the order they should appear. */
  readonly extensions: readonly Uint8Array[];
}

/** Who issues: the issuer's DER name and what signs for it (a key here, or KMS). */
export interface Issuer {
  readonly issuerName: Uint8Array;
  readonly signer: CertificateSigner;
}

export interface SignedCertificate {
  readonly der: Buffer;
  readonly certificatePem: string;
  /** AWS IoT's certificate id: lowercase hex SHA-256 of the DER. */
  readonly certificateId: string;
}

/** [0] EXPLICIT INTEGER 2: every certificate we make is X.509 v3 (it has extensions). */
const VERSION_3 = Buffer.from('a003020102', 'hex');

/** Lowercase hex SHA-256 of DER bytes: the id AWS IoT gives a certificate. */
export function certificateIdOfDer(der: Uint8Array | ArrayBuffer): string {
  return createHash('sha256').update(der instanceof Uint8Array ? der : new Uint8Array(der)).digest('hex');
}

/**
 * Assembles and signs a certificate (RFC 5280 4.1) with a fresh random serial. The parts come
 * in as DER, built with @peculiar/x509 where they are structured (names, extensions) and cached
 * where they do not change, so issuing costs one signature and some byte concatenation.
 */
export async function signCertificate(issuer: Issuer, parts: CertificateRequestParts): Promise<SignedCertificate> {
  const algorithmIdentifier = signatureAlgorithmIdentifier(issuer.signer.algorithm);
  const toBeSigned = derSequence(
    VERSION_3,
    derElement(TAG.INTEGER, randomSerialNumber()),
    algorithmIdentifier,
    issuer.issuerName,
    derSequence(derTime(parts.validity.notBefore), derTime(parts.validity.notAfter)),
    parts.subject,
    parts.subjectPublicKeyInfo,
    derElement(TAG.CONTEXT_3, derSequence(...parts.extensions)),
  );
  const signature = await issuer.signer.sign(toBeSigned);
  const der = derSequence(toBeSigned, algorithmIdentifier, derBitString(signature));
  return { der, certificatePem: encodePem(der, 'CERTIFICATE'), certificateId: certificateIdOfDer(der) };
}

/** Signs with a CA, reusing what was derived from it on first use (issuer name, algorithm, AKI). */
export async function signWithAuthority(authority: CertificateAuthority, parts: CertificateRequestParts): Promise<SignedCertificate> {
  const context = signingContextOf(authority);
  return signCertificate({ issuerName: context.issuerName, signer: authority.signer }, parts);
}
