import { DeleteObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ClientError } from '../shared/http/client-error';
import { isAwsError } from '../shared/iot/aws-errors';

/**
 * Where one-time tokens are marked used: one object per token, `<prefix>/<tokenHash>`, written
 * only if absent (S3 conditional write), so of two concurrent registrations only one wins.
 */
export class TokenLedger {
  constructor(private readonly s3: S3Client, private readonly bucket: string, private readonly prefix: string) {}

  /** Marks the token used; a 401 TokenAlreadyUsed if it already is (or another request is marking it now). */
  async consume(tokenHash: string, record: { tokenId: string; thingName: string }): Promise<void> {
    try {
      await this.s3.send(new PutObjectCommand({
        Bucket: this.bucket,
        Key: this.key(tokenHash),
        IfNoneMatch: '*',
        ContentType: 'application/json',
        Body: JSON.stringify({ ...record, usedAt: new Date().toISOString() }),
      }));
    } catch (error) {
      // 412: the marker exists. 409 ConditionalRequestConflict: another request is writing it right now.
      if (isAwsError(error, 'PreconditionFailed', 'ConditionalRequestConflict') || httpStatus(error) === 412) {
        throw new ClientError(401, 'TokenAlreadyUsed', 'Authorization: this one-time token has already registered a device');
      }
      throw error;
    }
  }

  /** Makes the token usable again (a registration that failed and was undone). */
  async release(tokenHash: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: this.key(tokenHash) }));
  }

  private key(tokenHash: string): string {
    return `${this.prefix}/${tokenHash}`;
  }
}

function httpStatus(error: unknown): number | undefined {
  return (error as { $metadata?: { httpStatusCode?: number } } | undefined)?.$metadata?.httpStatusCode;
}
