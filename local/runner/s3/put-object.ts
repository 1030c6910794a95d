/** PutObject: authorize, pick the encryption (request headers, else bucket default, else SSE-S3), seal and store. */
import { createHash } from 'node:crypto';
import { requireAllowed } from './authorize';
import { awsManagedS3Key } from './aws-managed-key';
import type { ObjectVersion } from './bucket-store';
import { s3Errors } from './errors';
import { headerValue, type S3Request, type S3Response } from './s3-request';

const SSE = 'x-amz-server-side-encryption';
const SSE_KMS_KEY = 'x-amz-server-side-encryption-aws-kms-key-id';
const META_PREFIX = 'x-amz-meta-';

/** Which encryption applies, as S3 decides it. */
function chooseEncryption(request: S3Request): { algorithm: 'aws:kms' | 'AES256'; kmsKeyId?: string } {
  const requested = headerValue(request, SSE);
  const requestedKey = headerValue(request, SSE_KMS_KEY);
  const bucketDefault = request.bucket.defaultEncryption;
  if (requested !== undefined && requested !== 'aws:kms' && requested !== 'AES256') {
    throw s3Errors.invalidArgument(`Server Side Encryption with ${requested} is not supported by the local S3`, SSE, requested);
  }
  if (requestedKey !== undefined && requested !== 'aws:kms') {
    throw s3Errors.invalidArgument('x-amz-server-side-encryption-aws-kms-key-id is only valid with aws:kms', SSE_KMS_KEY, requestedKey);
  }
  const algorithm = requested ?? bucketDefault?.algorithm ?? 'AES256';
  if (algorithm === 'AES256') return { algorithm };
  const bucketKey = bucketDefault?.algorithm === 'aws:kms' ? bucketDefault.kmsKeyArn : undefined;
  return { algorithm, kmsKeyId: requestedKey ?? bucketKey ?? awsManagedS3Key(request.services.kms) };
}

function userMetadata(request: S3Request): Record<string, string> {
  const metadata: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    if (name.startsWith(META_PREFIX) && value !== undefined) metadata[name.slice(META_PREFIX.length)] = String(value);
  }
  return metadata;
}

/** The response headers naming an object's encryption, shared by Put, Get and Head. */
export function encryptionHeaders(version: ObjectVersion): Record<string, string> {
  if (!version.sealing) return {};
  return version.sealing.algorithm === 'aws:kms'
    ? { [SSE]: 'aws:kms', [SSE_KMS_KEY]: version.sealing.kmsKeyArn! }
    : { [SSE]: 'AES256' };
}

export function putObject(request: S3Request): S3Response {
  if (headerValue(request, 'x-amz-copy-source') !== undefined) throw s3Errors.notImplemented('CopyObject');
  // Storing an object SSE-C would need customer keys on every read; refuse rather than silently ignore them.
  if (headerValue(request, 'x-amz-server-side-encryption-customer-algorithm') !== undefined) {
    throw s3Errors.notImplemented('Server-side encryption with customer-provided keys (SSE-C)');
  }
  const { bucket, key, payload } = request;
  const context: Record<string, string> = {};
  const requestedSse = headerValue(request, SSE);
  const requestedKey = headerValue(request, SSE_KMS_KEY);
  if (requestedSse !== undefined) context['s3:x-amz-server-side-encryption'] = requestedSse;
  if (requestedKey !== undefined) context['s3:x-amz-server-side-encryption-aws-kms-key-id'] = requestedKey;
  requireAllowed(request, 's3:PutObject', bucket.objectArn(key), context);
  checkWriteConditions(request);

  const encryption = chooseEncryption(request);
  const { storedData, sealing } = request.services.encryption.seal({
    principal: request.principal,
    ...encryption,
    encryptionContext: { 'aws:s3:arn': bucket.objectArn(key) },
  }, payload.data);

  // aws-chunked is transport framing, not part of the object's own Content-Encoding.
  const contentEncoding = headerValue(request, 'content-encoding')?.split(',').map((e) => e.trim()).filter((e) => e !== 'aws-chunked').join(',');
  const version = bucket.put({
    key,
    lastModified: new Date(),
    storedData,
    size: payload.data.length,
    etag: `"${createHash('md5').update(payload.data).digest('hex')}"`,
    contentType: headerValue(request, 'content-type') ?? 'binary/octet-stream',
    contentEncoding: contentEncoding || undefined,
    cacheControl: headerValue(request, 'cache-control'),
    contentDisposition: headerValue(request, 'content-disposition'),
    metadata: userMetadata(request),
    checksums: payload.checksums,
    sealing,
  });

  const headers: Record<string, string> = { etag: version.etag, ...encryptionHeaders(version) };
  if (bucket.versioned) headers['x-amz-version-id'] = version.versionId;
  for (const [algorithm, value] of Object.entries(payload.checksums)) headers[`x-amz-checksum-${algorithm}`] = value;
  return { status: 200, headers };
}

/**
 * Conditional writes: `If-None-Match: *` stores the object only if the key has none (else 412
 * PreconditionFailed, as S3 answers), which lets writers race without overwriting each other.
 * `If-Match` (compare-and-swap on the ETag) is refused loudly rather than ignored.
 */
function checkWriteConditions(request: S3Request): void {
  if (headerValue(request, 'if-match') !== undefined) throw s3Errors.notImplemented('PutObject with If-Match');
  const ifNoneMatch = headerValue(request, 'if-none-match');
  if (ifNoneMatch === undefined) return;
  if (ifNoneMatch.trim() !== '*') throw s3Errors.notImplemented(`PutObject with If-None-Match other than * (${ifNoneMatch})`);
  const current = request.bucket.current(request.key);
  if (current && !current.isDeleteMarker) throw s3Errors.preconditionFailed('If-None-Match');
}
