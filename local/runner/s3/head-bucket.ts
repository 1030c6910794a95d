/** HeadBucket: whether the bucket exists and the caller may list it. */
import { requireAllowed } from './authorize';
import type { S3Request, S3Response } from './s3-request';

export function headBucket(request: S3Request): S3Response {
  requireAllowed(request, 's3:ListBucket', request.bucket.arn);
  return { status: 200, headers: { 'x-amz-bucket-region': request.services.region, 'x-amz-access-point-alias': 'false' } };
}
