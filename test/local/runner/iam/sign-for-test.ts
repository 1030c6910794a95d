import type { IncomingHttpHeaders } from 'node:http';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentials, SignedHttpRequest } from '../../../../local/runner/iam';
import { NodeSha256 } from '../../../../local/runner/iam/node-sha256';

export interface RequestToSign {
  readonly method?: string;
  /** Already percent-encoded, as it goes on the wire. */
  readonly path?: string;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly service: string;
  readonly region?: string;
  readonly credentials: LocalCredentials;
  readonly signingDate?: Date;
  /** False signs as clients that send no x-amz-content-sha256 header (the SDK signer adds it by default). */
  readonly applyChecksum?: boolean;
}

/** RFC 3986 encoding, as the SDKs put query parameters on the wire. */
function encode(value: string): string {
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

function wireQuery(query: Readonly<Record<string, string | readonly string[] | null>> = {}): string {
  const pairs = Object.entries(query).flatMap(([key, value]) =>
    (typeof value === 'string' || value === null ? [value ?? ''] : value).map((item) => `${encode(key)}=${encode(item)}`));
  return pairs.length ? `?${pairs.join('&')}` : '';
}

function lowerCased(headers: Record<string, string>): IncomingHttpHeaders {
  return Object.fromEntries(Object.entries(headers).map(([name, value]) => [name.toLowerCase(), value]));
}

function signerFor(input: RequestToSign): SignatureV4 {
  return new SignatureV4({
    service: input.service,
    region: input.region ?? 'us-east-1',
    credentials: input.credentials,
    sha256: NodeSha256,
    uriEscapePath: input.service !== 's3',
    applyChecksum: input.applyChecksum,
  });
}

function toHttpRequest(input: RequestToSign): HttpRequest {
  return new HttpRequest({
    method: input.method ?? 'GET',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 4566,
    path: input.path ?? '/',
    query: input.query ?? {},
    headers: { host: '127.0.0.1:4566', ...input.headers },
    body: input.body,
  });
}

/** Signs with the SDK's own signer and returns the request as a local service would receive it. */
export async function signForTest(input: RequestToSign): Promise<SignedHttpRequest> {
  const signed = await signerFor(input).sign(toHttpRequest(input), { signingDate: input.signingDate ?? new Date() });
  return {
    method: signed.method, url: `${signed.path}${wireQuery(signed.query)}`, headers: lowerCased(signed.headers), body: Buffer.from(input.body ?? ''),
  };
}

/**
 * A presigned URL request (query-string authentication), as S3 presigned GETs arrive: like the S3
 * presigner, it declares the payload UNSIGNED-PAYLOAD (the signer then hoists that into the query).
 */
export async function presignForTest(input: RequestToSign, expiresIn: number): Promise<SignedHttpRequest> {
  const request = toHttpRequest({ ...input, headers: { ...input.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
  const signed = await signerFor(input).presign(request, { signingDate: input.signingDate ?? new Date(), expiresIn });
  return {
    method: signed.method, url: `${signed.path}${wireQuery(signed.query)}`, headers: lowerCased(signed.headers), body: Buffer.alloc(0),
  };
}
