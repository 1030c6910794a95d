/**
 * Device keys and CSRs made on this machine, so the private key never leaves it: a new key of a
 * chosen algorithm, or an existing key file (a key provisioned earlier, or one a secure element
 * exported the public half of is not enough: a CSR needs the private key to sign it).
 */
import { createPrivateKey, createPublicKey } from 'node:crypto';
import { exportPrivateKeyPem, generateKeyPair, type KeyAlgorithm, type SubjectFields } from '../../../lambda-assets/shared/pki';
import { signingAlgorithmFor } from '../../../lambda-assets/shared/pki/authority';
import { requireAcceptedPublicKey } from '../../../lambda-assets/shared/pki/public-key-info';
import { subtle, x509, type CryptoKeyPair } from '../../../lambda-assets/shared/pki/runtime';
import { encodeSubject } from '../../../lambda-assets/shared/pki/subject';
import { fileError } from '../exit-codes';

export interface DeviceKey {
  readonly keys: CryptoKeyPair;
  /** PKCS#8 PEM of the private key. */
  readonly privateKeyPem: string;
  /** 'ECDSA-P256', 'RSA-2048', ... */
  readonly description: string;
}

export async function newDeviceKey(algorithm: KeyAlgorithm): Promise<DeviceKey> {
  const keys = await generateKeyPair(algorithm);
  return { keys, privateKeyPem: await exportPrivateKeyPem(keys.privateKey), description: algorithm };
}

/** An existing unencrypted private key (PKCS#8, PKCS#1 or SEC1 PEM), checked against AWS IoT's key rules. */
export async function existingDeviceKey(pem: string, file: string): Promise<DeviceKey> {
  let pkcs8: Buffer;
  let spki: Buffer;
  try {
    const privateKey = createPrivateKey(pem);
    pkcs8 = privateKey.export({ type: 'pkcs8', format: 'der' });
    spki = createPublicKey(privateKey).export({ type: 'spki', format: 'der' });
  } catch {
    throw fileError(`--key: ${file} is not an unencrypted PEM private key`, 'decrypt it first, e.g. openssl pkey -in KEY -out plain.key.pem');
  }
  let description;
  try {
    description = requireAcceptedPublicKey(new Uint8Array(spki), `the key in ${file}`);
  } catch (error) {
    throw fileError(`--key: ${(error as Error).message}`);
  }
  const privateKey = await subtle.importKey('pkcs8', new Uint8Array(pkcs8), description.importParams, true, ['sign']);
  const publicKey = await subtle.importKey('spki', new Uint8Array(spki), description.importParams, true, ['verify']);
  return { keys: { privateKey, publicKey }, privateKeyPem: pem, description: description.label };
}

/** A PKCS#10 request for `subject`, signed with the device key (SHA-256 for RSA, the curve's hash for ECDSA). */
export async function createCsrPem(key: DeviceKey, subject: SubjectFields): Promise<string> {
  const csr = await x509.Pkcs10CertificateRequestGenerator.create({
    name: new x509.Name(new Uint8Array(encodeSubject(subject))),
    keys: key.keys,
    signingAlgorithm: signingAlgorithmFor(key.keys.privateKey),
  });
  return `${csr.toString('pem').replace(/\r\n/g, '\n').trimEnd()}\n`;
}
