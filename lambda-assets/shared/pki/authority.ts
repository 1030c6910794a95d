import { signatureHashForCurve } from './algorithms';
import { childrenOf, DER_TAG, expectElement } from './der';
import { pkiError } from './errors';
import { authorityKeyIdentifierExtension } from './extensions';
import { keyIdentifierOf } from './public-key-info';
import { x509, type CryptoKey } from './runtime';
import type { CertificateSigner } from './signer';

/**
 * A CA ready to sign: its parsed certificate and its signer (its private key imported here, or a
 * key held by AWS KMS that signs on request).
 */
export interface CertificateAuthority {
  readonly certificate: x509.X509Certificate;
  readonly signer: CertificateSigner;
  readonly certificatePem: string;
}

/** WebCrypto parameters of the signatures we make: PKCS#1 v1.5 or ECDSA, with a SHA-2 hash. */
export interface SignatureParams {
  readonly name: 'RSASSA-PKCS1-v1_5' | 'ECDSA';
  readonly hash: 'SHA-256' | 'SHA-384' | 'SHA-512';
}

/** What every issuance needs from the CA, derived once per authority and then reused. */
export interface SigningContext {
  /** The CA certificate's subject, byte for byte, used as the issuer of what it signs. */
  readonly issuerName: Buffer;
  readonly signingAlgorithm: SignatureParams;
  /** DER authorityKeyIdentifier extension naming the CA's subject key identifier. */
  readonly authorityKeyIdentifier: Buffer;
}

// Keyed by the authority object, so the public CertificateAuthority shape stays a plain
// interface and an authority built by hand still works (its context is derived on first use).
const signingContexts = new WeakMap<CertificateAuthority, SigningContext>();

/** The signature algorithm a CA key signs with: SHA-256 for RSA, the curve's own hash for ECDSA. */
export function signingAlgorithmFor(privateKey: CryptoKey): SignatureParams {
  const algorithm = privateKey.algorithm as { name: string; namedCurve?: string };
  if (algorithm.name === 'ECDSA' && algorithm.namedCurve) {
    return { name: 'ECDSA', hash: signatureHashForCurve(algorithm.namedCurve) };
  }
  if (algorithm.name === 'RSASSA-PKCS1-v1_5') {
    // An RSA key is bound to a hash when imported; ours are always imported with SHA-256.
    return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  }
  throw pkiError('UNSUPPORTED_KEY', `a CA key must be RSASSA-PKCS1-v1_5 or ECDSA, got ${algorithm.name}`);
}

/** The CA's subject key identifier: its SKI extension if it has one, else computed as OpenSSL would. */
export function subjectKeyIdentifierOf(certificate: x509.X509Certificate): string {
  const extension = certificate.getExtension(x509.SubjectKeyIdentifierExtension);
  return extension?.keyId ?? keyIdentifierOf(new Uint8Array(certificate.publicKey.rawData));
}

/**
 * The subject Name of a DER certificate, exactly as encoded. Issued certificates must repeat it
 * byte for byte as their issuer, and re-encoding a parsed name could change string types.
 */
export function subjectNameDerOf(certificateDer: Uint8Array): Buffer {
  const certificate = expectElement(certificateDer, 0, DER_TAG.SEQUENCE);
  const toBeSigned = expectElement(certificateDer, certificate.contentStart, DER_TAG.SEQUENCE, certificate.end);
  const fields = childrenOf(certificateDer, toBeSigned);
  // version [0] is optional (absent in v1 certificates); subject follows serial, signature, issuer, validity.
  const subject = fields[fields[0]?.tag === 0xa0 ? 5 : 4];
  if (!subject || subject.tag !== DER_TAG.SEQUENCE) {
    throw pkiError('MALFORMED_PEM', 'CA certificate has no subject name');
  }
  return Buffer.from(certificateDer.subarray(subject.start, subject.end));
}

export function signingContextOf(authority: CertificateAuthority): SigningContext {
  let context = signingContexts.get(authority);
  if (!context) {
    context = {
      issuerName: subjectNameDerOf(new Uint8Array(authority.certificate.rawData)),
      signingAlgorithm: authority.signer.algorithm,
      authorityKeyIdentifier: authorityKeyIdentifierExtension(subjectKeyIdentifierOf(authority.certificate)),
    };
    signingContexts.set(authority, context);
  }
  return context;
}
