import { pkiError } from './errors';
import type { EcKeyGenParams, RsaHashedKeyGenParams } from './runtime';

/** The key algorithms we generate, for CAs and devices alike (all of them accepted by AWS IoT). */
export type KeyAlgorithm = 'RSA-2048' | 'RSA-3072' | 'RSA-4096' | 'ECDSA-P256' | 'ECDSA-P384';

export const KEY_ALGORITHMS: readonly KeyAlgorithm[] = Object.freeze([
  'RSA-2048', 'RSA-3072', 'RSA-4096', 'ECDSA-P256', 'ECDSA-P384',
] as const);

export function isKeyAlgorithm(value: unknown): value is KeyAlgorithm {
  return typeof value === 'string' && (KEY_ALGORITHMS as readonly string[]).includes(value);
}

/** Narrows untrusted input (an API body, an env var) to a KeyAlgorithm or throws UNSUPPORTED_KEY. */
export function requireKeyAlgorithm(value: unknown, what: string): KeyAlgorithm {
  if (!isKeyAlgorithm(value)) {
    throw pkiError('UNSUPPORTED_KEY', `${what} must be one of ${KEY_ALGORITHMS.join(', ')}; got ${JSON.stringify(value)}`);
  }
  return value;
}

/** The RSA public exponent everyone uses (65537), as WebCrypto wants it: big-endian bytes. */
const RSA_PUBLIC_EXPONENT = new Uint8Array([0x01, 0x00, 0x01]);

const GENERATION_PARAMS: Readonly<Record<KeyAlgorithm, RsaHashedKeyGenParams | EcKeyGenParams>> = {
  // RSASSA-PKCS1-v1_5 with SHA-256 is the RSA signature AWS IoT accepts everywhere; PSS is not.
  'RSA-2048': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: RSA_PUBLIC_EXPONENT, hash: 'SHA-256' },
  'RSA-3072': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 3072, publicExponent: RSA_PUBLIC_EXPONENT, hash: 'SHA-256' },
  'RSA-4096': { name: 'RSASSA-PKCS1-v1_5', modulusLength: 4096, publicExponent: RSA_PUBLIC_EXPONENT, hash: 'SHA-256' },
  'ECDSA-P256': { name: 'ECDSA', namedCurve: 'P-256' },
  'ECDSA-P384': { name: 'ECDSA', namedCurve: 'P-384' },
};

/** WebCrypto parameters that generate a key pair of this algorithm. */
export function generationParamsFor(algorithm: KeyAlgorithm): RsaHashedKeyGenParams | EcKeyGenParams {
  return GENERATION_PARAMS[algorithm];
}

/**
 * The hash a CA key signs with. ECDSA pairs the hash with the curve's strength (a P-384 CA
 * signing with SHA-256 would waste the curve); RSA of every size uses SHA-256.
 */
export function signatureHashForCurve(namedCurve: string): 'SHA-256' | 'SHA-384' | 'SHA-512' {
  switch (namedCurve) {
    case 'P-384': return 'SHA-384';
    case 'P-521': return 'SHA-512';
    default: return 'SHA-256';
  }
}
