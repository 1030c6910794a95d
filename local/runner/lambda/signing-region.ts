import type { IncomingHttpHeaders } from 'node:http';

/** The region of a SigV4 request, from its credential scope (`Credential=AKID/20240101/eu-west-1/lambda/aws4_request`). */
export function signingRegion(headers: IncomingHttpHeaders): string | undefined {
  const authorization = headers.authorization;
  const match = typeof authorization === 'string' ? /Credential=[^/]+\/\d{8}\/([^/]+)\//.exec(authorization) : null;
  return match?.[1];
}
