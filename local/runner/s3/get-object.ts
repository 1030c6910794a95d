/** GetObject and HeadObject: authorize, find the version, decrypt as the caller (Get only), optional byte range. */
import { decide, requireAllowed } from './authorize';
import type { ObjectVersion } from './bucket-store';
import { parseRange } from './byte-range';
import { s3Errors, S3Error } from './errors';
import { encryptionHeaders } from './put-object';
import { headerValue, type S3Request, type S3Response } from './s3-request';

/** Finds the requested version, failing as S3 does for missing keys, versions and delete markers. */
function findVersion(request: S3Request): ObjectVersion {
  const { bucket, key } = request;
  const versionId = request.query.get('versionId') ?? undefined;
  const version = versionId === undefined ? bucket.current(key) : bucket.version(key, versionId);
  if (version === undefined) {
    if (versionId !== undefined) throw s3Errors.noSuchVersion(key, versionId);
    // Without s3:ListBucket S3 will not reveal that a key is absent: 403, not 404.
    if (!decide(request, 's3:ListBucket', bucket.arn).allowed) throw s3Errors.accessDenied();
    throw s3Errors.noSuchKey(key);
  }
  if (version.isDeleteMarker) {
    const markerHeaders = { 'x-amz-delete-marker': 'true', 'x-amz-version-id': version.versionId };
    if (versionId !== undefined) throw s3Errors.methodNotAllowed('The specified method is not allowed against this resource.', markerHeaders);
    throw s3Errors.noSuchKey(key, markerHeaders);
  }
  return version;
}

function objectHeaders(request: S3Request, version: ObjectVersion): Record<string, string> {
  const headers: Record<string, string> = {
    'etag': version.etag,
    'last-modified': version.lastModified.toUTCString(),
    'accept-ranges': 'bytes',
    'content-type': version.contentType ?? 'binary/octet-stream',
    ...encryptionHeaders(version),
  };
  if (request.bucket.versioned || version.versionId !== 'null') headers['x-amz-version-id'] = version.versionId;
  if (version.contentEncoding) headers['content-encoding'] = version.contentEncoding;
  if (version.cacheControl) headers['cache-control'] = version.cacheControl;
  if (version.contentDisposition) headers['content-disposition'] = version.contentDisposition;
  for (const [name, value] of Object.entries(version.metadata)) headers[`x-amz-meta-${name}`] = value;
  return headers;
}

function readObject(request: S3Request, withBody: boolean): S3Response {
  const versioned = request.query.has('versionId');
  requireAllowed(request, versioned ? 's3:GetObjectVersion' : 's3:GetObject', request.bucket.objectArn(request.key));
  const version = findVersion(request);
  const headers = objectHeaders(request, version);
  const range = parseRange(headerValue(request, 'range'), version.size);

  // The SDK asks for checksums by default; they describe the whole object, so a range gets none.
  if (!range && headerValue(request, 'x-amz-checksum-mode')?.toUpperCase() === 'ENABLED') {
    for (const [algorithm, value] of Object.entries(version.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
    if (Object.keys(version.checksums).length > 0) headers['x-amz-checksum-type'] = 'FULL_OBJECT';
  }
  if (range) headers['content-range'] = `bytes ${range.start}-${range.end}/${version.size}`;
  const length = range ? range.end - range.start + 1 : version.size;
  headers['content-length'] = String(length);
  const status = range ? 206 : 200;
  // HeadObject needs no kms:Decrypt, as in AWS: only the object's metadata is returned.
  if (!withBody) return { status, headers };

  if (!version.sealing) throw new S3Error('InternalError', 'The object has no encryption record', 500);
  const plaintext = request.services.encryption.open(request.principal, version.sealing, version.storedData);
  return { status, headers, body: range ? plaintext.subarray(range.start, range.end + 1) : plaintext };
}

export function getObject(request: S3Request): S3Response {
  return readObject(request, true);
}

export function headObject(request: S3Request): S3Response {
  return readObject(request, false);
}
