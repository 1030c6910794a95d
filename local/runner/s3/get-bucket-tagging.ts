/** GetBucketTagging: the bucket's tags from its template (`Tags`), or NoSuchTagSet when it has none, as S3 answers. */
import { requireAllowed } from './authorize';
import { S3Error } from './errors';
import type { S3Request, S3Response } from './s3-request';
import { xmlDocument } from './xml';

export function getBucketTagging(request: S3Request): S3Response {
  const { bucket } = request;
  requireAllowed(request, 's3:GetBucketTagging', bucket.arn);
  if (bucket.tags.size === 0) throw new S3Error('NoSuchTagSet', 'The TagSet does not exist', 404, { BucketName: bucket.name });
  const tags = [...bucket.tags].map(([Key, Value]) => ({ Key, Value }));
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('Tagging', { TagSet: { Tag: tags } }) };
}
