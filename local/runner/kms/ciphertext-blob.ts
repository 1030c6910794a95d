/**
 * The wire format of a local KMS ciphertext blob. Like a real KMS blob it is opaque to callers but
 * names the key that made it, so Decrypt needs no KeyId.
 *
 *   "LKMS" | version (1 byte) | key id length (1 byte) | key id (utf8) | iv (12) | GCM tag (16) | ciphertext
 */
import { KmsError } from './errors';

const MAGIC = Buffer.from('LKMS', 'ascii');
const VERSION = 1;
export const IV_LENGTH = 12;
export const TAG_LENGTH = 16;

export interface CiphertextParts {
  readonly keyId: string;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

export function packCiphertextBlob(parts: CiphertextParts): Buffer {
  const keyId = Buffer.from(parts.keyId, 'utf8');
  return Buffer.concat([MAGIC, Buffer.from([VERSION, keyId.length]), keyId, parts.iv, parts.tag, parts.ciphertext]);
}

export function unpackCiphertextBlob(blob: Uint8Array): CiphertextParts {
  const buffer = Buffer.from(blob);
  const invalid = () => new KmsError('InvalidCiphertextException', 'The ciphertext is not a blob this KMS produced');
  if (buffer.length < MAGIC.length + 2 || !buffer.subarray(0, MAGIC.length).equals(MAGIC) || buffer[MAGIC.length] !== VERSION) {
    throw invalid();
  }
  const keyIdLength = buffer[MAGIC.length + 1];
  const keyIdStart = MAGIC.length + 2;
  const ivStart = keyIdStart + keyIdLength;
  const tagStart = ivStart + IV_LENGTH;
  const ciphertextStart = tagStart + TAG_LENGTH;
  if (buffer.length < ciphertextStart) throw invalid();
  return {
    keyId: buffer.subarray(keyIdStart, ivStart).toString('utf8'),
    iv: buffer.subarray(ivStart, tagStart),
    tag: buffer.subarray(tagStart, ciphertextStart),
    ciphertext: buffer.subarray(ciphertextStart),
  };
}
