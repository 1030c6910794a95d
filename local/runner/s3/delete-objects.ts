/** DeleteObjects (POST ?delete): each key authorized and deleted on its own, refusals reported per key. */
import { decide } from './authorize';
import { CHECKSUM_HEADER_PREFIX } from './checksums';
import { deleteAction, deleteKey } from './delete-object';
import { s3Errors } from './errors';
import type { S3Request, S3Response } from './s3-request';
import { elementsNamed, textOf, xmlDocument, type XmlTree } from './xml';

const MAX_KEYS = 1000;

/** S3 refuses a batch delete whose body carries no integrity check. */
function hasIntegrityHeader(request: S3Request): boolean {
  return Object.keys(request.headers).some((name) =>
    name === 'content-md5' || (name.startsWith(CHECKSUM_HEADER_PREFIX) && !['mode', 'type', 'algorithm'].includes(name.slice(CHECKSUM_HEADER_PREFIX.length))))
    || request.headers['x-amz-trailer'] !== undefined;
}

function parseDeleteRequest(xml: string): { objects: { key: string; versionId?: string }[]; quiet: boolean } {
  const [body] = elementsNamed(xml, 'Delete');
  if (body === undefined) throw s3Errors.malformedXml();
  const objects = elementsNamed(body, 'Object').map((object) => {
    const key = textOf(object, 'Key');
    if (key === undefined) throw s3Errors.malformedXml();
    return { key, versionId: textOf(object, 'VersionId') };
  });
  if (objects.length === 0 || objects.length > MAX_KEYS) throw s3Errors.malformedXml();
  return { objects, quiet: textOf(body, 'Quiet')?.trim() === 'true' };
}

export function deleteObjects(request: S3Request): S3Response {
  if (!hasIntegrityHeader(request)) throw s3Errors.invalidRequest('Missing required header for this request: Content-MD5 OR x-amz-checksum-*');
  const { objects, quiet } = parseDeleteRequest(request.payload.data.toString('utf8'));
  const deleted: XmlTree[] = [];
  const errors: XmlTree[] = [];
  for (const { key, versionId } of objects) {
    if (!decide(request, deleteAction(versionId), request.bucket.objectArn(key)).allowed) {
      errors.push({ Key: key, VersionId: versionId, Code: 'AccessDenied', Message: 'Access Denied' });
      continue;
    }
    const result = deleteKey(request.bucket, key, versionId);
    // Quiet mode reports only failures.
    if (!quiet) {
      deleted.push({ Key: key, VersionId: result.versionId, DeleteMarker: result.deleteMarker, DeleteMarkerVersionId: result.deleteMarkerVersionId });
    }
  }
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('DeleteResult', { Deleted: deleted, Error: errors }) };
}
