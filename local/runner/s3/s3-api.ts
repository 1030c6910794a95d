/**
 * The S3 API over HTTP for SDK clients (`AWS_ENDPOINT_URL_S3`): SigV4 authentication for service
 * `s3`, path-style or virtual-hosted addressing, S3's XML responses and errors.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { AuthenticationError, type AccessControl } from '../iam/types';
import type { LocalKms } from '../kms';
import { deleteObject } from './delete-object';
import { deleteObjects } from './delete-objects';
import { S3Error, s3Errors } from './errors';
import { getBucketTagging } from './get-bucket-tagging';
import { getObject, headObject } from './get-object';
import { headBucket } from './head-bucket';
import { listObjectsV2 } from './list-objects-v2';
import type { LocalS3 } from './local-s3';
import { ObjectEncryption } from './object-encryption';
import { putObject } from './put-object';
import { decodeRequestBody } from './request-body';
import { routeS3Request, type S3OperationName } from './routes';
import type { S3Request, S3Response, S3Services } from './s3-request';
import { xmlDocument } from './xml';
import { readBody } from '../http/read-body';
import { serveLocally } from '../http/serve-locally';

export interface S3ApiOptions {
  readonly s3: LocalS3;
  readonly kms: LocalKms;
  readonly accessControl: AccessControl;
  /** Default 0: any free port. */
  readonly port?: number;
  /**
   * The `aws:SecureTransport` the policies see. Default true: the local cloud's plain HTTP on loopback
   * stands in for AWS's TLS endpoints, and CDK's enforceSSL bucket policies deny every request otherwise.
   */
  readonly secureTransport?: boolean;
}

export interface RunningS3Api {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

const OPERATIONS: Readonly<Record<S3OperationName, (request: S3Request) => S3Response>> = {
  HeadBucket: headBucket,
  GetBucketTagging: getBucketTagging,
  ListObjectsV2: listObjectsV2,
  DeleteObjects: deleteObjects,
  PutObject: putObject,
  GetObject: getObject,
  HeadObject: headObject,
  DeleteObject: deleteObject,
};

/** The codes S3 uses for SigV4 failures, where the IAM contract may use another service's names. */
const S3_AUTH_CODES: Readonly<Record<string, string>> = {
  InvalidSignatureException: 'SignatureDoesNotMatch',
  UnrecognizedClientException: 'InvalidAccessKeyId',
  MissingAuthenticationTokenException: 'AccessDenied',
  MissingAuthenticationToken: 'AccessDenied',
};

function asS3Error(error: unknown): S3Error {
  if (error instanceof S3Error) return error;
  if (error instanceof AuthenticationError) return new S3Error(S3_AUTH_CODES[error.code] ?? error.code, error.message, error.httpStatus);
  return new S3Error('InternalError', error instanceof Error ? error.message : String(error), 500);
}

function writeResponse(http: ServerResponse, method: string, requestId: string, response: S3Response): void {
  const body = response.body === undefined ? Buffer.alloc(0) : Buffer.from(response.body);
  http.writeHead(response.status, {
    'x-amz-request-id': requestId,
    'x-amz-id-2': Buffer.from(requestId).toString('base64'),
    // HeadObject overrides this with the length of the body it describes but does not send.
    'content-length': String(body.length),
    ...response.headers,
  });
  http.end(method === 'HEAD' ? undefined : body);
}

function errorResponse(error: S3Error, method: string, requestId: string): S3Response {
  const tree = { Code: error.code, Message: error.message, ...error.details, RequestId: requestId };
  return {
    status: error.httpStatus,
    headers: { ...error.headers, 'content-type': 'application/xml' },
    // HEAD errors have no body: the SDK reports them by status alone (NotFound, Forbidden).
    body: method === 'HEAD' ? undefined : xmlDocument('Error', tree, false),
  };
}

async function handle(options: S3ApiOptions, services: S3Services, http: IncomingMessage): Promise<S3Response> {
  const method = http.method ?? 'GET';
  const url = http.url ?? '/';
  const raw = await readBody(http);
  const principal = options.accessControl.authenticate({ method, url, headers: http.headers, body: raw }, 's3');
  const route = routeS3Request(method, url, http.headers.host);
  const bucket = options.s3.bucket(route.bucket);
  if (!bucket) throw s3Errors.noSuchBucket(route.bucket);
  const payload = decodeRequestBody(http.headers, raw);
  return OPERATIONS[route.operation]({ services, principal, bucket, key: route.key, query: route.query, headers: http.headers, payload });
}

export async function startS3Api(options: S3ApiOptions): Promise<RunningS3Api> {
  const services: S3Services = {
    accessControl: options.accessControl,
    kms: options.kms,
    encryption: new ObjectEncryption(options.kms, `s3.${options.s3.region}.amazonaws.com`, options.s3.sseS3Key),
    region: options.s3.region,
    secureTransport: options.secureTransport ?? true,
  };
  const server = createServer((http, response) => {
    const method = http.method ?? 'GET';
    const requestId = randomBytes(8).toString('hex').toUpperCase();
    handle(options, services, http)
      .catch((error: unknown) => errorResponse(asS3Error(error), method, requestId))
      .then((result) => writeResponse(response, method, requestId, result))
      .catch(() => response.destroy());
  });
  return serveLocally(server, options.port);
}
