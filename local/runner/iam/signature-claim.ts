import type { IncomingHttpHeaders } from 'node:http';
import type { SigV4Errors } from './sigv4-errors';

const ALGORITHM = 'AWS4-HMAC-SHA256';

/** What a request says about its own signature, from the Authorization header or a presigned URL's query. */
export interface SignatureClaim {
  readonly accessKeyId: string;
  /** The credential scope's date (YYYYMMDD), region and service. */
  readonly scopeDate: string;
  readonly region: string;
  readonly service: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
  /** The signing time, `YYYYMMDDTHHMMSSZ`. */
  readonly longDate: string;
  readonly securityToken?: string;
  /** Presigned URLs only: how many seconds after longDate the URL stays valid. */
  readonly expiresInSeconds?: number;
}

export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** `AWS4-HMAC-SHA256 Credential=<akid>/<date>/<region>/<service>/aws4_request, SignedHeaders=a;b, Signature=<hex>` */
export function claimFromAuthorizationHeader(authorization: string, headers: IncomingHttpHeaders, errors: SigV4Errors): SignatureClaim {
  const trimmed = authorization.trim();
  const algorithm = trimmed.split(/\s+/, 1)[0];
  if (algorithm !== ALGORITHM) throw errors.malformed(`Unsupported AWS 'algorithm': '${algorithm}'. Expected '${ALGORITHM}'.`);
  const parameters = new Map<string, string>();
  for (const part of trimmed.slice(algorithm.length).split(',')) {
    const separator = part.indexOf('=');
    if (separator > 0) parameters.set(part.slice(0, separator).trim(), part.slice(separator + 1).trim());
  }
  for (const required of ['Credential', 'SignedHeaders', 'Signature']) {
    if (!parameters.get(required)) throw errors.malformed(`Authorization header requires '${required}' parameter.`);
  }
  const longDate = headerValue(headers, 'x-amz-date');
  if (!longDate) throw errors.malformed("Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  return {
    ...parseCredential(parameters.get('Credential')!, errors),
    signedHeaders: parameters.get('SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()),
    signature: parameters.get('Signature')!,
    longDate,
    securityToken: headerValue(headers, 'x-amz-security-token'),
  };
}

/** A presigned URL carries the same facts as query parameters (`X-Amz-Credential`, `X-Amz-Signature`, ...). */
export function claimFromQuery(query: ReadonlyMap<string, string>, errors: SigV4Errors): SignatureClaim {
  const get = (name: string) => query.get(name.toLowerCase());
  if (get('X-Amz-Algorithm') !== ALGORITHM) throw errors.malformed(`Unsupported AWS 'algorithm': '${get('X-Amz-Algorithm')}'.`);
  for (const required of ['X-Amz-Credential', 'X-Amz-SignedHeaders', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-Expires']) {
    if (!get(required)) throw errors.malformed(`Query-string authentication requires the ${required} parameter.`);
  }
  const expiresInSeconds = Number(get('X-Amz-Expires'));
  if (!Number.isInteger(expiresInSeconds) || expiresInSeconds < 0) throw errors.malformed('X-Amz-Expires must be a non-negative integer.');
  return {
    ...parseCredential(get('X-Amz-Credential')!, errors),
    signedHeaders: get('X-Amz-SignedHeaders')!.split(';').map((name) => name.trim().toLowerCase()),
    signature: get('X-Amz-Signature')!,
    longDate: get('X-Amz-Date')!,
    securityToken: get('X-Amz-Security-Token'),
    expiresInSeconds,
  };
}

function parseCredential(credential: string, errors: SigV4Errors) {
  // The access key id cannot contain '/', so the last four parts are always the scope.
  const parts = credential.split('/');
  if (parts.length < 5 || parts[parts.length - 1] !== 'aws4_request') {
    throw errors.malformed(`Credential should be of the form '<access key id>/<date>/<region>/<service>/aws4_request', not '${credential}'.`);
  }
  const [scopeDate, region, service] = parts.slice(-4, -1);
  return { accessKeyId: parts.slice(0, -4).join('/'), scopeDate, region, service };
}
