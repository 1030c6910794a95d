/**
 * PutObject called in process by another local service acting as a principal (an IoT rule's S3 action as the rule's
 * role): the same authorization, encryption and storage as a PutObject over HTTP.
 */
import type { AccessControl, Principal } from '../iam/types';
import type { LocalKms } from '../kms';
import { s3Errors } from './errors';
import type { LocalS3 } from './local-s3';
import { ObjectEncryption } from './object-encryption';
import { putObject } from './put-object';
import type { S3Response } from './s3-request';

export interface InProcessS3 {
  readonly s3: LocalS3;
  readonly kms: LocalKms;
  readonly accessControl: AccessControl;
}

/** Throws S3Error (NoSuchBucket, AccessDenied, ...) as the HTTP API answers it. `headers`: lower-case names, e.g. x-amz-acl. */
export function putObjectAs(
  services: InProcessS3, principal: Principal, bucketName: string, key: string, data: Buffer, headers: Record<string, string> = {},
): S3Response {
  const bucket = services.s3.bucket(bucketName);
  if (!bucket) throw s3Errors.noSuchBucket(bucketName);
  return putObject({
    services: {
      accessControl: services.accessControl,
      kms: services.kms,
      encryption: new ObjectEncryption(services.kms, `s3.${services.s3.region}.amazonaws.com`, services.s3.sseS3Key),
      region: services.s3.region,
      secureTransport: true,
    },
    principal,
    bucket,
    key,
    query: new URLSearchParams(),
    headers,
    payload: { data, checksums: {} },
  });
}
