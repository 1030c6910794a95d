/**
 * The integrity checks S3 runs on request bodies: Content-MD5 and the flexible checksums
 * (x-amz-checksum-crc32 / crc32c / sha1 / sha256), whether sent as headers or as aws-chunked trailers.
 */
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { crc32c } from './crc32c';
import { s3Errors } from './errors';

export type ChecksumAlgorithm = 'crc32' | 'crc32c' | 'sha1' | 'sha256';
export const CHECKSUM_HEADER_PREFIX = 'x-amz-checksum-';
const ALGORITHMS: readonly ChecksumAlgorithm[] = ['crc32', 'crc32c', 'sha1', 'sha256'];
/** x-amz-checksum-* headers that are not checksums. */
const NOT_CHECKSUMS = new Set(['mode', 'type', 'algorithm']);

function bigEndian32(value: number): Buffer {
  const buffer = Buffer.alloc(4);
  // Both CRCs here are already unsigned 32-bit values.
  buffer.writeUInt32BE(value);
  return buffer;
}

/** The base64 value S3 puts in x-amz-checksum-<algorithm>. */
export function checksumOf(algorithm: ChecksumAlgorithm, data: Uint8Array): string {
  switch (algorithm) {
    case 'crc32': return bigEndian32(crc32(data)).toString('base64');
    case 'crc32c': return bigEndian32(crc32c(data)).toString('base64');
    case 'sha1': return createHash('sha1').update(data).digest('base64');
    case 'sha256': return createHash('sha256').update(data).digest('base64');
  }
}

/**
 * Checks every x-amz-checksum-* value among `fields` (headers or trailers, lower-case names) against
 * the payload and answers the verified ones, so GetObject can return them.
 */
export function verifyChecksums(fields: Readonly<Record<string, string | string[] | undefined>>, payload: Uint8Array): Record<string, string> {
  const verified: Record<string, string> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (!name.startsWith(CHECKSUM_HEADER_PREFIX) || typeof value !== 'string') continue;
    const algorithm = name.slice(CHECKSUM_HEADER_PREFIX.length);
    if (NOT_CHECKSUMS.has(algorithm)) continue;
    if (!ALGORITHMS.includes(algorithm as ChecksumAlgorithm)) {
      throw s3Errors.invalidRequest(`The checksum algorithm ${algorithm} is not supported by the local S3`);
    }
    if (checksumOf(algorithm as ChecksumAlgorithm, payload) !== value) {
      throw s3Errors.badDigest(`The ${algorithm.toUpperCase()} you specified did not match the calculated checksum.`);
    }
    verified[algorithm] = value;
  }
  return verified;
}

export function verifyContentMd5(contentMd5: string | undefined, payload: Uint8Array): void {
  if (contentMd5 === undefined) return;
  const given = Buffer.from(contentMd5, 'base64');
  if (given.length !== 16 || given.toString('base64') !== contentMd5) throw s3Errors.invalidDigest('The Content-MD5 you specified was invalid.');
  if (!createHash('md5').update(payload).digest().equals(given)) throw s3Errors.badDigest('The Content-MD5 you specified did not match what we received.');
}
