import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { isAwsError } from '../iot/aws-errors';

/** The files a CA keeps in the vault, under `<prefix>/<caCertificateId>/`. */
export const CA_FILES = {
  certificate: 'ca.cert.pem',
  privateKey: 'ca.private_key.pem',
  publicKey: 'ca.public_key.pem',
  verificationCertificate: 'verification.cert.pem',
  metadata: 'ca.json',
} as const;

export type CaFileName = (typeof CA_FILES)[keyof typeof CA_FILES];

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

/** CA material in the S3 vault. Only the CA registrator's role can read private keys. */
export class CaVault {
  constructor(
    private readonly s3: S3Client,
    private readonly location: CaVaultLocation,
  ) {}

  objectKey(caCertificateId: string, file: CaFileName): string {
    const prefix = normalizePrefix(this.location.prefix);
    return prefix ? `${prefix}/${caCertificateId}/${file}` : `${caCertificateId}/${file}`;
  }

  async putFiles(caCertificateId: string, files: Partial<Record<CaFileName, string>>): Promise<void> {
    for (const [file, body] of Object.entries(files) as [CaFileName, string][]) {
      await this.s3.send(new PutObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(caCertificateId, file),
        Body: body,
        ContentType: file.endsWith('.json') ? 'application/json' : 'application/x-pem-file',
        ServerSideEncryption: 'aws:kms',
        SSEKMSKeyId: this.location.kmsKeyArn,
      }));
    }
  }

  async readFile(caCertificateId: string, file: CaFileName): Promise<string | undefined> {
    try {
      const object = await this.s3.send(new GetObjectCommand({
        Bucket: this.location.bucket,
        Key: this.objectKey(caCertificateId, file),
      }));
      return await object.Body?.transformToString('utf8');
    } catch (error) {
      if (isAwsError(error, 'NoSuchKey', 'NotFound')) return undefined;
      throw error;
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
}
