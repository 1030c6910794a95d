/**
 * Why a PKI operation refused its input. Handlers map these codes to 4xx responses, so each
 * one names a mistake the caller can fix; anything else that escapes this module is our fault.
 */
export type PkiErrorCode =
  /** The key type, size or curve is not one AWS IoT accepts (or not one we generate). */
  | 'UNSUPPORTED_KEY'
  /** A certificate is signed with an algorithm AWS IoT does not accept (e.g. SHA-1, RSA-PSS). */
  | 'UNSUPPORTED_SIGNATURE'
  /** A CSR's signature does not verify with its own public key (no proof of possession). */
  | 'BAD_CSR_SIGNATURE'
  /** A self-signed certificate's signature does not verify with its own key. */
  | 'BAD_SIGNATURE'
  /** Not a single well-formed PEM block of the expected kind, or its content does not parse. */
  | 'MALFORMED_PEM'
  /** The certificate is not a CA (basicConstraints CA:TRUE missing, or keyUsage lacks keyCertSign). */
  | 'NOT_A_CA'
  /** A subject field is missing, unknown, too long, or holds characters a certificate cannot carry. */
  | 'BAD_SUBJECT'
  /** The private key does not belong to the certificate it was given with. */
  | 'KEY_MISMATCH'
  /** A validity period in days that is not a positive number in range. */
  | 'BAD_VALIDITY'
  /** The certificate's validity period has ended. */
  | 'EXPIRED'
  /** The certificate's validity period has not started yet. */
  | 'NOT_YET_VALID';

export class PkiError extends Error {
  /** One of {@link PkiErrorCode}; typed as string so callers may compare without importing the union. */
  readonly code: string;

  constructor(code: string, message: string) {
    super(message);
    this.name = 'PkiError';
    this.code = code;
  }
}

/** Builds a PkiError whose code the compiler checks against the documented list. */
export function pkiError(code: PkiErrorCode, message: string): PkiError {
  return new PkiError(code, message);
}
