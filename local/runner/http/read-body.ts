import type { IncomingMessage } from 'node:http';

/** The whole request body: SigV4 verification needs the exact bytes before anything parses them. */
export async function readBody(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
