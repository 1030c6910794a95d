import { randomUUID } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** A Lambda API error as the service answers it: status, `x-amzn-errortype`, and a JSON body the SDK reads `message` from. */
export class LambdaApiError extends Error {
  constructor(readonly code: string, message: string, readonly httpStatus: number) {
    super(message);
    this.name = 'LambdaApiError';
  }
}

/** Lambda's JSON error body: `Type` is User for the caller's mistakes (4xx), Service for the service's own (5xx). */
export function sendError(response: ServerResponse, error: LambdaApiError): void {
  const body = JSON.stringify({ Type: error.httpStatus >= 500 ? 'Service' : 'User', message: error.message });
  response.writeHead(error.httpStatus, {
    'content-type': 'application/json',
    'x-amzn-errortype': error.code,
    'x-amzn-requestid': randomUUID(),
    'content-length': Buffer.byteLength(body),
  });
  response.end(body);
}

export function send(response: ServerResponse, status: number, headers: Record<string, string>, body?: string): void {
  response.writeHead(status, {
    'x-amzn-requestid': randomUUID(),
    ...(body !== undefined ? { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(body)) } : {}),
    ...headers,
  });
  response.end(body);
}
