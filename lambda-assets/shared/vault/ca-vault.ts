import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isAwsError } from '../iot/aws-errors';

/** The files a CA keeps in the vault, under `<prefix>/<caCertificateId>/`. */
export const CA_FILES = {
  certificate: 'ca.cert.pem',
  privateKey: 'ca.private_key.pem',
  publicKey: 'ca.public_key.pem',
  verificationCertificate: 'verification.cert.pem',
  metadata: 'ca.json',
  /** A CA whose key is held by AWS KMS: which key (never key material). */
  kmsKey: 'ca.kms_key.json',
} as const;

export type CaFileName = (typeof CA_FILES)[keyof typeof CA_FILES];

/**
 * A device certificate issued for a CSR, kept at `<prefix>/<caCertificateId>/issued/<sha256 of the CSR DER>.json`
 * so that the same CSR sent again gets the same certificate, never a second one.
 */
export interface IssuedCertificateRecord {
  readonly certificateId: string;
  readonly certificatePem: string;
  /** ISO 8601. */
  readonly issuedAt: string;
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

export interface CaVaultLocation {
  readonly bucket: string;
  /** Key prefix without leading or trailing slash; '' for the bucket root. */
  readonly prefix: string;
  /** The vault's KMS key: every object is written SSE-KMS under it, whatever the bucket default. */
  readonly kmsKeyArn?: string;
}

export function normalizePrefix(prefix: string | undefined): string {
  return (prefix ?? '').replace(/^\/+|\/+$/g, '');
}

/** PutObject parameters for a vault object: always SSE-KMS under the vault's key, whatever the bucket default. */
export function vaultWriteParams(location: CaVaultLocation, key: string, body: string, contentType: string) {
  return {
    Bucket: location.bucket,
    Key: key,
    Body: body,
    ContentType: contentType,
    ServerSideEncryption: 'aws:kms' as const,
    SSEKMSKeyId: location.kmsKeyArn,
  };
}

/** CA material in the S3 vault. Only the CA registrator's role can read private keys (a CA whose key KMS holds has none here). */
export class CaVault {
  constructor(
    private readonly s3: S3Client,
    private readonly location: CaVaultLocation,
  ) {}

  objectKey(caCertificateId: string, file: CaFileName): string {
    return this.keyUnderCa(caCertificateId, file);
  }

  issuedRecordKey(caCertificateId: string, csrSha256: string): string {
    if (!SHA256_HEX.test(csrSha256)) throw new Error('an issued record is named by the lowercase hex SHA-256 of the CSR DER');
    return this.keyUnderCa(caCertificateId, `issued/${csrSha256}.json`);
  }

  async putFiles(caCertificateId: string, files: Partial<Record<CaFileName, string>>): Promise<void> {
    for (const [file, body] of Object.entries(files) as [CaFileName, string][]) {
      await this.s3.send(new PutObjectCommand(
        this.writeParams(this.objectKey(caCertificateId, file), body, file.endsWith('.json') ? 'application/json' : 'application/x-pem-file'),
      ));
    }
  }

  async readFile(caCertificateId: string, file: CaFileName): Promise<string | undefined> {
    return this.readText(this.objectKey(caCertificateId, file));
  }

  /** The record of the certificate issued for this CSR under this CA, or undefined if there is none. */
  async readIssuedRecord(caCertificateId: string, csrSha256: string): Promise<IssuedCertificateRecord | undefined> {
    const key = this.issuedRecordKey(caCertificateId, csrSha256);
    const text = await this.readText(key);
    return text === undefined ? undefined : parseIssuedRecord(text, key);
  }

  /**
   * Stores the record unless one exists already (an S3 conditional write, If-None-Match: *), and
   * returns the record the vault holds afterwards: ours, or the one a concurrent request with the
   * same CSR stored first. So two racing requests still answer with one and the same certificate.
   */
  async putIssuedRecord(
    caCertificateId: string,
    csrSha256: string,
    record: IssuedCertificateRecord,
  ): Promise<{ readonly stored: boolean; readonly record: IssuedCertificateRecord }> {
    try {
      await this.s3.send(new PutObjectCommand({
        ...this.writeParams(this.issuedRecordKey(caCertificateId, csrSha256), JSON.stringify(record), 'application/json'),
        IfNoneMatch: '*',
      }));
      return { stored: true, record };
    } catch (error) {
      if (!isAwsError(error, 'PreconditionFailed', 'ConditionalRequestConflict')) throw error;
      const existing = await this.readIssuedRecord(caCertificateId, csrSha256);
      if (!existing) throw error;
      return { stored: false, record: existing };
    }
  }

  /** Removes files written for a CA whose registration then failed, so nothing is left behind. */
  async removeFiles(caCertificateId: string, files: readonly CaFileName[]): Promise<void> {
    if (files.length === 0) return;
    await this.s3.send(new DeleteObjectsCommand({
      Bucket: this.location.bucket,
      Delete: { Objects: files.map((file) => ({ Key: this.objectKey(caCertificateId, file) })), Quiet: true },
    }));
  }

  private keyUnderCa(caCertificateId: string, relativePath: string): string {
    const prefix = normalizePrefix(this.location.prefix);
    return prefix ? `${prefix}/${caCertificateId}/${relativePath}` : `${caCertificateId}/${relativePath}`;
  }

  private writeParams(key: string, body: string, contentType: string) {
    return vaultWriteParams(this.location, key, body, contentType);
  }

  /** An object's text; undefined when it does not exist (S3 says NoSuchKey, given s3:ListBucket). */
  private async readText(key: string): Promise<string | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({ Bucket: this.location.bucket, Key: key }));
      return await object.Body?.transformToString('utf8');
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey', 'NotFound')) return undefined;
      throw error;
    }
  }
}

function parseIssuedRecord(text: string, key: string): IssuedCertificateRecord {
  let record: unknown;
  try {
    record = JSON.parse(text);
  } catch {
    record = undefined;
  }
  const fields = record as Partial<Record<keyof IssuedCertificateRecord, unknown>> | undefined;
  if (typeof fields?.certificateId !== 'string' || typeof fields.certificatePem !== 'string' || typeof fields.issuedAt !== 'string') {
    throw new Error(`the vault record ${key} is not an issued-certificate record`);
  }
  return { certificateId: fields.certificateId, certificatePem: fields.certificatePem, issuedAt: fields.issuedAt };
}
