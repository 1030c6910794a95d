/**
 * The payload of an S3 request as the client meant it: aws-chunked framing removed, then every
 * integrity claim checked (signed payload hash, Content-MD5, flexible checksums in headers or trailers).
 */
import { createHash } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { decodeAwsChunked } from './aws-chunked';
import { verifyChecksums, verifyContentMd5 } from './checksums';
import { S3Error } from './errors';

export interface RequestPayload {
  readonly data: Buffer;
  /** Verified flexible checksums by algorithm (crc32, sha256, ...), base64. */
  readonly checksums: Record<string, string>;
}

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

export function decodeRequestBody(headers: IncomingHttpHeaders, raw: Buffer): RequestPayload {
  const contentEncodings = (header(headers, 'content-encoding') ?? '').split(',').map((e) => e.trim());
  const contentSha256 = header(headers, 'x-amz-content-sha256');
  let data = raw;
  let trailers: Record<string, string> = {};

  if (contentEncodings.includes('aws-chunked')) {
    ({ payload: data, trailers } = decodeAwsChunked(raw));
    const declared = header(headers, 'x-amz-decoded-content-length');
    if (declared !== undefined && Number(declared) !== data.length) {
      throw new S3Error('IncompleteBody', 'You did not provide the number of bytes specified by the x-amz-decoded-content-length header', 400);
    }
    // The header names the trailers to expect: a missing one means a truncated upload.
    for (const name of (header(headers, 'x-amz-trailer') ?? '').split(',').map((t) => t.trim().toLowerCase()).filter(Boolean)) {
      if (trailers[name] === undefined) throw new S3Error('MalformedTrailerError', `The request did not contain the trailer ${name}`, 400);
    }
  } else if (contentSha256 !== undefined && /^[0-9a-f]{64}$/.test(contentSha256)) {
    // The signature covers this hash rather than the body, so the body must match it (S3's XAmzContentSHA256Mismatch).
    if (createHash('sha256').update(raw).digest('hex') !== contentSha256) {
      throw new S3Error('XAmzContentSHA256Mismatch', "The provided 'x-amz-content-sha256' header does not match what was computed.", 400);
    }
  }

  verifyContentMd5(header(headers, 'content-md5'), data);
  const checksums = { ...verifyChecksums(headers, data), ...verifyChecksums(trailers, data) };
  return { data, checksums };
}
