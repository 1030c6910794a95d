/**
 * Key algorithms for CAs and devices: the ones AWS IoT accepts and our PKI makes.
 */
export enum KeyAlgorithm {
  /** RSA 2048-bit, SHA-256 signatures. */
  RSA_2048 = 'RSA-2048',
  /** RSA 3072-bit, SHA-256 signatures. */
  RSA_3072 = 'RSA-3072',
  /** RSA 4096-bit, SHA-256 signatures. */
  RSA_4096 = 'RSA-4096',
  /** ECDSA on NIST P-256, SHA-256 signatures. */
  ECDSA_P256 = 'ECDSA-P256',
  /** ECDSA on NIST P-384, SHA-384 signatures. */
  ECDSA_P384 = 'ECDSA-P384',
}
