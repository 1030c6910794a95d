import { webcrypto } from 'node:crypto';

/**
 * The ceiling for issuing with WebCrypto: one key generation and one signature per iteration
 * and nothing else (no export, no ASN.1, no PEM). Our issuance cannot beat this; the bench
 * reports how close it gets.
 */
const subtle = webcrypto.subtle;

/** About the size of a device certificate's to-be-signed part. */
const TO_BE_SIGNED = new Uint8Array(512).fill(0x5a);

export async function rawEcdsaP256KeyAndSignature(): Promise<void> {
  const keys = await subtle.generateKey({ name: 'ECDSA', namedCurve: 'P-256' }, true, ['sign', 'verify']);
  await subtle.sign({ name: 'ECDSA', hash: 'SHA-256' }, keys.privateKey, TO_BE_SIGNED);
}

export async function rawRsa2048KeyAndSignature(): Promise<void> {
  const keys = await subtle.generateKey(
    { name: 'RSASSA-PKCS1-v1_5', modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: 'SHA-256' },
    true,
    ['sign', 'verify'],
  );
  await subtle.sign('RSASSA-PKCS1-v1_5', keys.privateKey, TO_BE_SIGNED);
}
