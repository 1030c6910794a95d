// @peculiar/x509 resolves its algorithm providers through tsyringe, which needs the Reflect
// metadata polyfill loaded before the library itself.
import 'reflect-metadata';
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The one place that wires @peculiar/x509 to Node's WebCrypto. Every module of the PKI imports
 * x509 from here, so the provider is always set before the library is used.
 */
// The cast bridges Node's webcrypto typings and the DOM `Crypto` type @peculiar/x509 declares.
x509.cryptoProvider.set(webcrypto as any);

export { x509 };
export const subtle = webcrypto.subtle;

/** Node's CryptoKey type; the global one only exists where the DOM lib is loaded. */
export type CryptoKey = webcrypto.CryptoKey;
export type CryptoKeyPair = webcrypto.CryptoKeyPair;
/** Bytes backed by a plain ArrayBuffer, which is what WebCrypto and @peculiar/x509 accept as BufferSource. */
export type Bytes = Uint8Array<ArrayBuffer>;
export type RsaHashedKeyGenParams = webcrypto.RsaHashedKeyGenParams;
export type RsaHashedImportParams = webcrypto.RsaHashedImportParams;
export type EcKeyGenParams = webcrypto.EcKeyGenParams;
export type EcKeyImportParams = webcrypto.EcKeyImportParams;
export type EcdsaParams = webcrypto.EcdsaParams;
export type Algorithm = webcrypto.Algorithm;
