/**
 * A secret version at rest, as Secrets Manager keeps it: the value under a fresh data key from KMS (GenerateDataKey
 * as the caller, through Secrets Manager, bound to the secret's ARN and version id), only the data key's KMS blob kept.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Principal } from '../iam/types';
import { KmsError, type LocalKms } from '../kms';
import { SecretsManagerError } from './errors';

export interface SealedValue {
  readonly dataKeyBlob: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly ciphertext: Buffer;
}

/** What Secrets Manager gives KMS as encryption context for a version. */
export function secretEncryptionContext(secretArn: string, versionId: string): Record<string, string> {
  return { SecretARN: secretArn, SecretVersionId: versionId };
}

function kmsFailure(error: unknown, failure: 'EncryptionFailure' | 'DecryptionFailure'): never {
  if (error instanceof KmsError) {
    // AWS answers a caller whose KMS permissions fall short with this sentence; the KMS reason follows, locally.
    if (error.code === 'AccessDeniedException') throw new SecretsManagerError('AccessDeniedException', `Access to KMS is not allowed (${error.message})`);
    const verb = failure === 'EncryptionFailure' ? 'encrypt' : 'decrypt';
    throw new SecretsManagerError(failure, `Secrets Manager can't ${verb} the protected secret text using the provided KMS key: ${error.message}`);
  }
  throw error;
}

export interface EnvelopeTarget {
  readonly kms: LocalKms;
  readonly keyId: string;
  readonly secretArn: string;
  readonly versionId: string;
}

export function sealSecretValue(principal: Principal, target: EnvelopeTarget, value: Buffer): SealedValue {
  let dataKey: { plaintext: Buffer; ciphertextBlob: Buffer };
  try {
    dataKey = target.kms.generateDataKey(principal, target.keyId, {
      numberOfBytes: 32,
      encryptionContext: secretEncryptionContext(target.secretArn, target.versionId),
      viaService: `secretsmanager.${target.kms.region}.amazonaws.com`,
    });
  } catch (error) {
    return kmsFailure(error, 'EncryptionFailure');
  }
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', dataKey.plaintext, iv);
  const ciphertext = Buffer.concat([cipher.update(value), cipher.final()]);
  return { dataKeyBlob: dataKey.ciphertextBlob, iv, tag: cipher.getAuthTag(), ciphertext };
}

export function openSecretValue(principal: Principal, target: Omit<EnvelopeTarget, 'keyId'>, sealed: SealedValue): Buffer {
  let dataKey: Buffer;
  try {
    dataKey = target.kms.decrypt(principal, sealed.dataKeyBlob, {
      encryptionContext: secretEncryptionContext(target.secretArn, target.versionId),
      viaService: `secretsmanager.${target.kms.region}.amazonaws.com`,
    }).plaintext;
  } catch (error) {
    return kmsFailure(error, 'DecryptionFailure');
  }
  const decipher = createDecipheriv('aes-256-gcm', dataKey, sealed.iv);
  decipher.setAuthTag(sealed.tag);
  return Buffer.concat([decipher.update(sealed.ciphertext), decipher.final()]);
}
