import { createPublicKey, verify as verifySignature } from 'node:crypto';
import { signatureHashForCurve } from './algorithms';
import { signingAlgorithmFor, type SignatureParams } from './authority';
import { pkiError } from './errors';
import { requireAcceptedPublicKey } from './public-key-info';
import { subtle, type CryptoKey } from './runtime';
import { signatureValueForCertificate } from './signature-encoding';

/**
 * Who makes a certificate's signature: a private key in this process (WebCrypto), or a service
 * that holds the key and never lets it out (AWS KMS). Certificates are built the same way for
 * both; only this last step differs.
 */
export interface CertificateSigner {
  /** The signature scheme and hash: what the certificate's signatureAlgorithm field names. */
  readonly algorithm: SignatureParams;
  /**
   * Signs the DER TBSCertificate and answers the signature value as X.509 carries it: the
   * PKCS#1 v1.5 bytes for RSA, a DER Ecdsa-Sig-Value (SEQUENCE { r, s }) for ECDSA.
   */
  sign(toBeSigned: Uint8Array): Promise<Uint8Array>;
}

/** A signer whose key is a WebCrypto private key in this process. */
export interface WebCryptoSigner extends CertificateSigner {
  readonly privateKey: CryptoKey;
}

/** A signer for a WebCrypto private key (WebCrypto's r || s ECDSA signatures are re-encoded as DER). */
export function webCryptoSigner(privateKey: CryptoKey): WebCryptoSigner {
  const algorithm = signingAlgorithmFor(privateKey);
  return {
    algorithm,
    privateKey,
    sign: async (toBeSigned) => signatureValueForCertificate(algorithm, new Uint8Array(await subtle.sign(algorithm, privateKey, toBeSigned))),
  };
}

/**
 * The signature a key of this SubjectPublicKeyInfo makes, by the rules our own CA keys follow:
 * RSA signs PKCS#1 v1.5 with SHA-256, ECDSA with its curve's hash (P-256: SHA-256, P-384: SHA-384).
 */
export function signatureParamsForPublicKey(subjectPublicKeyInfo: Uint8Array, what: string): SignatureParams {
  const key = requireAcceptedPublicKey(subjectPublicKeyInfo, what);
  if (key.family === 'RSA') return { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' };
  return { name: 'ECDSA', hash: signatureHashForCurve((key.importParams as { namedCurve: string }).namedCurve) };
}

/** Refuses a signer whose algorithm is not the one the key signs with (an RSA signer for an EC CA, SHA-256 for a P-384 key). */
export function requireSignerFits(signer: CertificateSigner, subjectPublicKeyInfo: Uint8Array, what: string): void {
  const expected = signatureParamsForPublicKey(subjectPublicKeyInfo, what);
  if (expected.name !== signer.algorithm.name || expected.hash !== signer.algorithm.hash) {
    throw pkiError('KEY_MISMATCH', `${what} signs with ${expected.name}/${expected.hash}, but its signer makes ${signer.algorithm.name}/${signer.algorithm.hash}`);
  }
}

const NODE_HASH_NAMES: Readonly<Record<SignatureParams['hash'], string>> = { 'SHA-256': 'sha256', 'SHA-384': 'sha384', 'SHA-512': 'sha512' };

/**
 * Wraps a signer so that every signature is checked with the public key before anything is built
 * on it. A signer that holds another key (a vault record out of step with KMS, a key replaced
 * behind our back) then fails at once with KEY_MISMATCH, instead of handing out certificates that
 * no device could use. The check costs a signature verification, far less than a KMS round trip.
 */
export function checkedSigner(signer: CertificateSigner, subjectPublicKeyInfo: Uint8Array, what: string): CertificateSigner {
  const publicKey = createPublicKey({ key: Buffer.from(subjectPublicKeyInfo), format: 'der', type: 'spki' });
  const hash = NODE_HASH_NAMES[signer.algorithm.hash];
  return {
    algorithm: signer.algorithm,
    sign: async (toBeSigned) => {
      const signature = await signer.sign(toBeSigned);
      // node:crypto reads ECDSA signatures as DER (dsaEncoding) and RSA ones as PKCS#1 v1.5, as X.509 carries them.
      if (!verifySignature(hash, toBeSigned, { key: publicKey, dsaEncoding: 'der' }, signature)) {
        throw pkiError('KEY_MISMATCH', `a signature made for ${what} does not verify with its public key: the signer holds another key`);
      }
      return signature;
    },
  };
}
