/** AES-256-GCM under one KMS key's material: the encryption context is bound in as associated data, as KMS does. */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { IV_LENGTH, packCiphertextBlob, unpackCiphertextBlob } from './ciphertext-blob';
import { KmsError } from './errors';

export type EncryptionContext = Readonly<Record<string, string>>;

/** Canonical bytes of an encryption context: key order must not change the result. */
function contextBytes(context: EncryptionContext | undefined): Buffer {
  const sorted = Object.keys(context ?? {}).sort().map((key) => [key, context![key]]);
  return Buffer.from(JSON.stringify(sorted), 'utf8');
}

export function sealWithKey(keyId: string, material: Buffer, plaintext: Uint8Array, context?: EncryptionContext): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', material, iv);
  cipher.setAAD(contextBytes(context));
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return packCiphertextBlob({ keyId, iv, tag: cipher.getAuthTag(), ciphertext });
}

export function openWithKey(material: Buffer, blob: Uint8Array, context?: EncryptionContext): Buffer {
  const parts = unpackCiphertextBlob(blob);
  try {
    const decipher = createDecipheriv('aes-256-gcm', material, parts.iv);
    decipher.setAAD(contextBytes(context));
    decipher.setAuthTag(parts.tag);
    return Buffer.concat([decipher.update(parts.ciphertext), decipher.final()]);
  } catch {
    // A wrong encryption context or a tampered blob both fail GCM authentication; KMS reports either this way.
    throw new KmsError('InvalidCiphertextException', 'The ciphertext or its encryption context is invalid');
  }
}
