/**
 * Encryption at rest, as S3 does it: every object gets its own data key. Under SSE-KMS the data key
 * comes from KMS *as the caller* (so a caller lacking kms:GenerateDataKey or kms:Decrypt is refused,
 * as in AWS); under SSE-S3 (AES256) the local S3 wraps it with a key of its own.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import type { Principal } from '../iam/types';
import { KmsError, type LocalKms } from '../kms';
import type { ObjectSealing } from './bucket-store';
import { S3Error } from './errors';

const IV_LENGTH = 12;
const TAG_LENGTH = 16;

function seal(key: Buffer, plaintext: Uint8Array): Buffer {
  const iv = randomBytes(IV_LENGTH);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([iv, cipher.getAuthTag(), ciphertext]);
}

function open(key: Buffer, sealed: Buffer): Buffer {
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(0, IV_LENGTH));
  decipher.setAuthTag(sealed.subarray(IV_LENGTH, IV_LENGTH + TAG_LENGTH));
  return Buffer.concat([decipher.update(sealed.subarray(IV_LENGTH + TAG_LENGTH)), decipher.final()]);
}

/** A KMS refusal as S3 reports it: AccessDenied stays a 403, other KMS errors become KMS.<code> (400). */
function asS3Error(error: unknown): unknown {
  if (!(error instanceof KmsError)) return error;
  if (error.code === 'AccessDeniedException') return new S3Error('AccessDenied', error.message, 403);
  return new S3Error(`KMS.${error.code}`, error.message, 400);
}

export interface SealRequest {
  readonly principal: Principal;
  readonly algorithm: 'aws:kms' | 'AES256';
  /** Key id, ARN or alias for aws:kms. */
  readonly kmsKeyId?: string;
  /** KMS encryption context S3 binds the data key to: { 'aws:s3:arn': <object ARN> }. */
  readonly encryptionContext: Readonly<Record<string, string>>;
}

export class ObjectEncryption {
  /**
   * @param s3ManagedKey the local S3's own wrapping key for SSE-S3 (`LocalS3.sseS3Key`), never leaving this
   *   process. It belongs to the LocalS3, not to this object: what a rule's S3 action writes in process must open
   *   through the HTTP API, and the other way round.
   */
  constructor(private readonly kms: LocalKms, private readonly viaService: string, private readonly s3ManagedKey: Buffer) {}

  seal(request: SealRequest, plaintext: Uint8Array): { storedData: Buffer; sealing: ObjectSealing } {
    if (request.algorithm === 'AES256') {
      const dataKey = randomBytes(32);
      return { storedData: seal(dataKey, plaintext), sealing: { algorithm: 'AES256', encryptedDataKey: seal(this.s3ManagedKey, dataKey) } };
    }
    if (!request.kmsKeyId) throw new S3Error('InvalidArgument', 'SSE-KMS needs a KMS key', 400);
    try {
      const dataKey = this.kms.generateDataKey(request.principal, request.kmsKeyId, {
        encryptionContext: request.encryptionContext,
        viaService: this.viaService,
      });
      return {
        storedData: seal(dataKey.plaintext, plaintext),
        sealing: { algorithm: 'aws:kms', kmsKeyArn: dataKey.keyArn, encryptedDataKey: dataKey.ciphertextBlob, encryptionContext: request.encryptionContext },
      };
    } catch (error) {
      throw asS3Error(error);
    }
  }

  open(principal: Principal, sealing: ObjectSealing, storedData: Buffer): Buffer {
    if (sealing.algorithm === 'AES256') return open(open(this.s3ManagedKey, sealing.encryptedDataKey), storedData);
    try {
      const { plaintext } = this.kms.decrypt(principal, sealing.encryptedDataKey, {
        encryptionContext: sealing.encryptionContext,
        viaService: this.viaService,
      });
      return open(plaintext, storedData);
    } catch (error) {
      throw asS3Error(error);
    }
  }
}
