/** ListObjectsV2: prefix, delimiter (common prefixes), max-keys, start-after and continuation tokens. */
import { requireAllowed } from './authorize';
import type { ObjectVersion } from './bucket-store';
import { s3Errors } from './errors';
import type { S3Request, S3Response } from './s3-request';
import { xmlDocument, type XmlTree } from './xml';

const DEFAULT_MAX_KEYS = 1000;

function byUtf8(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function parseMaxKeys(value: string | null): number {
  if (value === null) return DEFAULT_MAX_KEYS;
  const parsed = Number(value);
  if (!/^\d+$/.test(value) || !Number.isSafeInteger(parsed)) throw s3Errors.invalidArgument('Provided max-keys not an integer or within integer range', 'max-keys', value);
  return Math.min(parsed, DEFAULT_MAX_KEYS);
}

/** The token is opaque to clients; locally it is the last key or common prefix returned, base64. */
function decodeToken(token: string | null): string | undefined {
  if (token === null) return undefined;
  const decoded = Buffer.from(token, 'base64url').toString('utf8');
  if (decoded === '' || Buffer.from(decoded, 'utf8').toString('base64url') !== token) {
    throw s3Errors.invalidArgument('The continuation token provided is incorrect', 'continuation-token', token);
  }
  return decoded;
}

export function listObjectsV2(request: S3Request): S3Response {
  const { query, bucket } = request;
  const prefix = query.get('prefix') ?? '';
  const delimiter = query.get('delimiter') ?? '';
  const maxKeys = parseMaxKeys(query.get('max-keys'));
  const context: Record<string, string> = { 's3:prefix': prefix, 's3:max-keys': String(maxKeys) };
  if (delimiter) context['s3:delimiter'] = delimiter;
  requireAllowed(request, 's3:ListBucket', bucket.arn, context);

  const continuationToken = query.get('continuation-token');
  const startAfter = query.get('start-after') ?? '';
  const after = decodeToken(continuationToken) ?? startAfter;
  const urlEncoded = query.get('encoding-type') === 'url';
  const encode = (text: string) => (urlEncoded ? encodeURIComponent(text).replace(/%2F/g, '/') : text);

  const contents: ObjectVersion[] = [];
  const commonPrefixes: string[] = [];
  let lastReturned: string | undefined;
  let truncated = false;
  for (const object of bucket.listCurrent()) {
    if (!object.key.startsWith(prefix) || byUtf8(object.key, after) <= 0) continue;
    const delimiterAt = delimiter ? object.key.indexOf(delimiter, prefix.length) : -1;
    const rollup = delimiterAt >= 0 ? object.key.slice(0, delimiterAt + delimiter.length) : undefined;
    // Keys under a common prefix already returned (in this page or an earlier one) are covered by it.
    if (rollup !== undefined && (rollup === lastReturned || rollup === after)) continue;
    if (contents.length + commonPrefixes.length >= maxKeys) {
      truncated = true;
      break;
    }
    if (rollup !== undefined) commonPrefixes.push(rollup);
    else contents.push(object);
    lastReturned = rollup ?? object.key;
  }

  const tree: XmlTree = {
    Name: bucket.name,
    Prefix: encode(prefix),
    Delimiter: delimiter ? encode(delimiter) : undefined,
    MaxKeys: maxKeys,
    KeyCount: contents.length + commonPrefixes.length,
    IsTruncated: truncated,
    ContinuationToken: continuationToken ?? undefined,
    NextContinuationToken: truncated && lastReturned !== undefined ? Buffer.from(lastReturned, 'utf8').toString('base64url') : undefined,
    StartAfter: startAfter ? encode(startAfter) : undefined,
    EncodingType: urlEncoded ? 'url' : undefined,
    Contents: contents.map((object) => ({
      Key: encode(object.key),
      LastModified: object.lastModified.toISOString(),
      ETag: object.etag,
      Size: object.size,
      StorageClass: 'STANDARD',
    })),
    CommonPrefixes: commonPrefixes.map((p) => ({ Prefix: encode(p) })),
  };
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: xmlDocument('ListBucketResult', tree) };
}
