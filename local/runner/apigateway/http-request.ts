import type { IncomingHttpHeaders } from 'node:http';

/** A request as the local API Gateway received it, body fully read. */
export interface ReceivedRequest {
  readonly method: string;
  /** The request target exactly as received (`/<stage>/path?query`), as SigV4 signed it. */
  readonly rawUrl: string;
  /** Node's lower-cased headers, for SigV4 and lookups. */
  readonly headers: IncomingHttpHeaders;
  /** Header names as the client sent them, in order, for the proxy event (API Gateway keeps the casing). */
  readonly rawHeaders: readonly string[];
  readonly body: Buffer;
  readonly sourceIp: string;
}

/** The last value of a header, case-insensitively (API Gateway's single-value view). */
export function headerValue(request: ReceivedRequest, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  if (Array.isArray(value)) return value[value.length - 1];
  return value;
}

/** Header name (as sent) -> values, in the order received. */
export function multiValueHeaders(request: ReceivedRequest): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  for (let index = 0; index + 1 < request.rawHeaders.length; index += 2) {
    const name = request.rawHeaders[index];
    const existing = Object.keys(result).find((key) => key.toLowerCase() === name.toLowerCase()) ?? name;
    (result[existing] ??= []).push(request.rawHeaders[index + 1]);
  }
  return result;
}

/** The query string of the request, every value of every name. */
export function multiValueQuery(request: ReceivedRequest): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  const query = new URL(request.rawUrl, 'http://localhost').searchParams;
  for (const [name, value] of query) (result[name] ??= []).push(value);
  return result;
}

/** The media type of the request body without parameters, lower-cased. */
export function mediaTypeOf(request: ReceivedRequest): string | undefined {
  const contentType = headerValue(request, 'content-type');
  return contentType ? contentType.split(';')[0].trim().toLowerCase() : undefined;
}
