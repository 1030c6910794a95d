/**
 * An awsJson1_1 service over HTTP for SDK clients (KMS, Secrets Manager): POST, the operation named
 * by `X-Amz-Target: <prefix>.<Op>`, a JSON body, every request SigV4-signed for the service, errors
 * as `{__type, message}` with `x-amzn-errortype`.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { readBody } from './read-body';
import { serveLocally, type ServedLocally } from './serve-locally';
import { AuthenticationError, type AccessControl, type Principal } from '../iam/types';

/** An error the service answers with its own code and status. */
export interface ServiceError {
  readonly code: string;
  readonly httpStatus: number;
  readonly message: string;
}

export interface AwsJsonApiOptions {
  /** For messages: 'KMS', 'Secrets Manager'. */
  readonly serviceName: string;
  /** The SigV4 signing name: 'kms', 'secretsmanager'. */
  readonly signingName: string;
  /** e.g. 'TrentService.' */
  readonly targetPrefix: string;
  readonly operations: Readonly<Record<string, (principal: Principal, input: Record<string, unknown>) => unknown>>;
  /** The service's own error class, answered as such; anything else is `internalErrorCode` (500). */
  readonly isServiceError: (error: unknown) => error is ServiceError;
  readonly internalErrorCode: string;
  readonly accessControl: AccessControl;
  /** Default 0: any free port. */
  readonly port?: number;
}

const CONTENT_TYPE = 'application/x-amz-json-1.1';

function send(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': payload.length,
    ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
  });
  response.end(payload);
}

function sendError(response: ServerResponse, status: number, code: string, message: string): void {
  send(response, status, { __type: code, message }, code);
}

async function handle(options: AwsJsonApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const principal = options.accessControl.authenticate(
    { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body }, options.signingName);
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(options.targetPrefix) ? options.operations[target.slice(options.targetPrefix.length)] : undefined;
  if (request.method !== 'POST' || !operation) {
    sendError(response, 400, 'UnknownOperationException', `Operation ${target || '(none)'} is not supported by the local ${options.serviceName}`);
    return;
  }
  let input: Record<string, unknown>;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendError(response, 400, 'SerializationException', 'The request body is not valid JSON');
    return;
  }
  send(response, 200, await operation(principal, input));
}

export async function startAwsJsonApi(options: AwsJsonApiOptions): Promise<ServedLocally> {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (error instanceof AuthenticationError) sendError(response, error.httpStatus, error.code, error.message);
      else if (options.isServiceError(error)) sendError(response, error.httpStatus, error.code, error.message);
      else sendError(response, 500, options.internalErrorCode, error instanceof Error ? error.message : String(error));
    });
  });
  return serveLocally(server, options.port);
}
