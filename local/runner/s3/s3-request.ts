/** What every S3 operation handler receives and answers. */
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessControl, Principal } from '../iam/types';
import type { LocalKms } from '../kms';
import type { BucketStore } from './bucket-store';
import type { ObjectEncryption } from './object-encryption';
import type { RequestPayload } from './request-body';

/** The services behind one running S3 API. */
export interface S3Services {
  readonly accessControl: AccessControl;
  readonly kms: LocalKms;
  readonly encryption: ObjectEncryption;
  readonly region: string;
  /** The value of `aws:SecureTransport` in every authorization request. */
  readonly secureTransport: boolean;
}

export interface S3Request {
  readonly services: S3Services;
  readonly principal: Principal;
  readonly bucket: BucketStore;
  /** '' for bucket operations. */
  readonly key: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingHttpHeaders;
  readonly payload: RequestPayload;
}

export interface S3Response {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: Buffer | string;
}

export function headerValue(request: S3Request, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}
