import type { SignatureParams } from './authority';
import { derSequence, derUnsignedInteger } from './der-writer';

/**
 * DER AlgorithmIdentifiers of the signatures we make (RFC 4055 and RFC 5758). The RSA ones
 * carry an explicit NULL parameter, the ECDSA ones none, as those RFCs require.
 */
const SIGNATURE_ALGORITHM_IDENTIFIERS: Readonly<Record<string, Buffer>> = {
  'RSASSA-PKCS1-v1_5/SHA-256': Buffer.from('300d06092a864886f70d01010b0500', 'hex'), // sha256WithRSAEncryption 1.2.840.113549.1.1.11
  'RSASSA-PKCS1-v1_5/SHA-384': Buffer.from('300d06092a864886f70d01010c0500', 'hex'), // sha384WithRSAEncryption 1.2.840.113549.1.1.12
  'RSASSA-PKCS1-v1_5/SHA-512': Buffer.from('300d06092a864886f70d01010d0500', 'hex'), // sha512WithRSAEncryption 1.2.840.113549.1.1.13
  'ECDSA/SHA-256': Buffer.from('300a06082a8648ce3d040302', 'hex'), // ecdsa-with-SHA256 1.2.840.10045.4.3.2
  'ECDSA/SHA-384': Buffer.from('300a06082a8648ce3d040303', 'hex'), // ecdsa-with-SHA384 1.2.840.10045.4.3.3
  'ECDSA/SHA-512': Buffer.from('300a06082a8648ce3d040304', 'hex'), // ecdsa-with-SHA512 1.2.840.10045.4.3.4
};

export function signatureAlgorithmIdentifier(params: SignatureParams): Buffer {
  return SIGNATURE_ALGORITHM_IDENTIFIERS[`${params.name}/${params.hash}`];
}

/**
 * WebCrypto returns ECDSA signatures as r || s (IEEE P1363); X.509 wants SEQUENCE { r INTEGER,
 * s INTEGER } (RFC 3279). RSA signatures go into the certificate as they are.
 */
export function signatureValueForCertificate(params: SignatureParams, signature: Uint8Array): Uint8Array {
  if (params.name !== 'ECDSA') {
    return signature;
  }
  const half = signature.length / 2;
  return derSequence(derUnsignedInteger(signature.subarray(0, half)), derUnsignedInteger(signature.subarray(half)));
}
