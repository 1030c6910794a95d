import type { IncomingMessage } from 'node:http';
import { LambdaApiError } from './api-responses';

/** Lambda's limit on a synchronous invocation's request payload. */
export const MAX_PAYLOAD_BYTES = 6 * 1024 * 1024;

function tooLarge(): LambdaApiError {
  return new LambdaApiError('RequestTooLargeException', `Request must be smaller than ${MAX_PAYLOAD_BYTES} bytes for the InvokeFunction operation`, 413);
}

/**
 * Reads a request body up to the payload limit. A larger body is still read to its end (and
 * dropped), so the connection is left in a state to carry the 413 answer.
 */
export function readBody(request: IncomingMessage, limit: number = MAX_PAYLOAD_BYTES): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    let size = 0;
    const chunks: Buffer[] = [];
    let overflow = Number.isFinite(declared) && declared > limit;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      overflow ||= size > limit;
      if (!overflow) {
        chunks.push(chunk);
      }
    });
    request.on('end', () => (overflow ? reject(tooLarge()) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}
