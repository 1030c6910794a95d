/**
 * Decodes an `aws-chunked` body, the framing the SDK uses for streamed uploads with flexible checksums:
 *
 *   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0\r\n<trailer>:<value>\r\n ... \r\n
 *
 * The trailers carry the checksum of the decoded payload (x-amz-checksum-crc32 by default).
 */
import { S3Error } from './errors';

export interface DecodedChunks {
  readonly payload: Buffer;
  /** Trailer fields by lower-case name (x-amz-checksum-crc32, x-amz-trailer-signature, ...). */
  readonly trailers: Record<string, string>;
}

const CRLF = Buffer.from('\r\n');

function incomplete(why: string): S3Error {
  return new S3Error('IncompleteBody', `The aws-chunked body is malformed: ${why}`, 400);
}

export function decodeAwsChunked(body: Buffer): DecodedChunks {
  const chunks: Buffer[] = [];
  let offset = 0;
  const readLine = (): string => {
    const end = body.indexOf(CRLF, offset);
    if (end < 0) throw incomplete('a line is not terminated by CRLF');
    const line = body.subarray(offset, end).toString('latin1');
    offset = end + CRLF.length;
    return line;
  };

  for (;;) {
    const header = readLine();
    const size = parseInt(header.split(';')[0], 16);
    if (!Number.isInteger(size) || size < 0) throw incomplete(`bad chunk size "${header}"`);
    if (size === 0) break;
    if (offset + size + CRLF.length > body.length) throw incomplete('a chunk is shorter than its declared size');
    chunks.push(body.subarray(offset, offset + size));
    offset += size;
    if (!body.subarray(offset, offset + CRLF.length).equals(CRLF)) throw incomplete('a chunk is not followed by CRLF');
    offset += CRLF.length;
  }

  const trailers: Record<string, string> = {};
  // Trailers run to an empty line; a body that simply ends after them is tolerated.
  while (offset < body.length) {
    const line = readLine();
    if (line === '') break;
    const colon = line.indexOf(':');
    if (colon < 0) throw incomplete(`bad trailer "${line}"`);
    trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
  }
  return { payload: Buffer.concat(chunks), trailers };
}
