import { generationParamsFor, requireKeyAlgorithm, type KeyAlgorithm } from './algorithms';
import { pkiError } from './errors';
import { encodePem } from './pem';
import { subtle, type Bytes, type CryptoKey, type CryptoKeyPair } from './runtime';

/**
 * Generates a key pair. Extractable, because callers hand the private key to a device or store
 * it in the vault; a CA key loaded back from the vault is imported non-extractable instead.
 */
export async function generateKeyPair(algorithm: KeyAlgorithm): Promise<CryptoKeyPair> {
  const params = generationParamsFor(requireKeyAlgorithm(algorithm, 'keyAlgorithm'));
  return subtle.generateKey(params, true, ['sign', 'verify']);
}

/** PKCS#8 "PRIVATE KEY" PEM (what OpenSSL 3, AWS IoT and the device SDKs read). */
export async function exportPrivateKeyPem(key: CryptoKey): Promise<string> {
  if (key.type !== 'private') {
    throw pkiError('UNSUPPORTED_KEY', `exportPrivateKeyPem needs a private key, got a ${key.type} key`);
  }
  return encodePem(await subtle.exportKey('pkcs8', key), 'PRIVATE KEY');
}

/** SPKI "PUBLIC KEY" PEM. */
export async function exportPublicKeyPem(key: CryptoKey): Promise<string> {
  return encodePem(await exportSubjectPublicKeyInfo(key), 'PUBLIC KEY');
}

/** DER SubjectPublicKeyInfo of a public key. */
export async function exportSubjectPublicKeyInfo(key: CryptoKey): Promise<Bytes> {
  if (key.type !== 'public') {
    throw pkiError('UNSUPPORTED_KEY', `expected a public key, got a ${key.type} key`);
  }
  return new Uint8Array(await subtle.exportKey('spki', key));
}
