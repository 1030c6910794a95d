/**
 * Which S3 operation a request is: bucket and key from the path (path style, what the SDK uses for an
 * IP-address endpoint) or from the Host header (virtual-hosted `<bucket>.localhost`), operation from
 * method and sub-resource query parameters.
 */
import { s3Errors } from './errors';

export type S3OperationName =
  | 'HeadBucket'
  | 'GetBucketTagging'
  | 'ListObjectsV2'
  | 'DeleteObjects'
  | 'PutObject'
  | 'GetObject'
  | 'HeadObject'
  | 'DeleteObject';

export interface S3Route {
  readonly operation: S3OperationName;
  readonly bucket: string;
  /** '' for bucket operations. */
  readonly key: string;
  readonly query: URLSearchParams;
}

/** Hosts the local S3 answers on; anything before them is a virtual-hosted bucket name. */
const VIRTUAL_HOST = /^(.+)\.(localhost|127\.0\.0\.1|s3\.localhost(?:\.localstack\.cloud)?)(?::\d+)?$/i;

/** Sub-resources (?acl, ?tagging, ...) the local S3 does not serve; a request naming one must not fall through to the object. */
const UNSUPPORTED_SUBRESOURCES = [
  'acl', 'tagging', 'uploads', 'uploadId', 'versions', 'versioning', 'policy', 'encryption', 'cors', 'lifecycle',
  'location', 'logging', 'notification', 'replication', 'website', 'attributes', 'legal-hold', 'retention', 'restore', 'select', 'torrent',
];

function decodePath(path: string): string {
  try {
    return decodeURIComponent(path);
  } catch {
    throw s3Errors.invalidArgument('The request path is not valid percent-encoding');
  }
}

export function routeS3Request(method: string, url: string, host: string | undefined): S3Route {
  const questionMark = url.indexOf('?');
  const rawPath = questionMark < 0 ? url : url.slice(0, questionMark);
  const query = new URLSearchParams(questionMark < 0 ? '' : url.slice(questionMark + 1));

  let bucket: string;
  let key: string;
  const virtual = host ? VIRTUAL_HOST.exec(host) : null;
  if (virtual) {
    bucket = virtual[1];
    key = decodePath(rawPath.replace(/^\//, ''));
  } else {
    const withoutSlash = rawPath.replace(/^\//, '');
    const slash = withoutSlash.indexOf('/');
    bucket = decodePath(slash < 0 ? withoutSlash : withoutSlash.slice(0, slash));
    key = slash < 0 ? '' : decodePath(withoutSlash.slice(slash + 1));
  }
  if (bucket === '') throw s3Errors.notImplemented('ListBuckets');

  // Bucket tags are served (a custom resource reads them); object tags are not.
  if (key === '' && method === 'GET' && query.has('tagging')) return { operation: 'GetBucketTagging', bucket, key, query };
  const unsupported = UNSUPPORTED_SUBRESOURCES.find((name) => query.has(name));
  if (unsupported) throw s3Errors.notImplemented(`The ?${unsupported} sub-resource`);

  const operation = key === '' ? bucketOperation(method, query) : objectOperation(method);
  return { operation, bucket, key, query };
}

function bucketOperation(method: string, query: URLSearchParams): S3OperationName {
  if (method === 'HEAD') return 'HeadBucket';
  if (method === 'GET' && query.get('list-type') === '2') return 'ListObjectsV2';
  if (method === 'POST' && query.has('delete')) return 'DeleteObjects';
  if (method === 'GET') throw s3Errors.notImplemented('ListObjects (v1)');
  throw s3Errors.notImplemented(`${method} on a bucket`);
}

function objectOperation(method: string): S3OperationName {
  switch (method) {
    case 'PUT': return 'PutObject';
    case 'GET': return 'GetObject';
    case 'HEAD': return 'HeadObject';
    case 'DELETE': return 'DeleteObject';
    default: throw s3Errors.methodNotAllowed(`The specified method is not allowed against this resource: ${method}`);
  }
}
