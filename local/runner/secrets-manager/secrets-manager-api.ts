/**
 * The Secrets Manager API over HTTP for SDK clients (`AWS_ENDPOINT_URL_SECRETS_MANAGER`): awsJson1_1, the operation
 * named by `X-Amz-Target: secretsmanager.<Op>`, every request SigV4-signed for service `secretsmanager`.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { SecretsManagerError } from './errors';
import type { LocalSecretsManager } from './local-secrets-manager';
import { SECRETS_MANAGER_OPERATIONS } from './secrets-manager-operations';
import { serveLocally, type ServedLocally } from '../http/serve-locally';
import { AuthenticationError, type AccessControl } from '../iam/types';
import { readBody } from '../kms/read-body';

export interface SecretsManagerApiOptions {
  readonly secrets: LocalSecretsManager;
  readonly accessControl: AccessControl;
  /** Default 0: any free port. */
  readonly port?: number;
}

const TARGET_PREFIX = 'secretsmanager.';
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

async function handle(options: SecretsManagerApiOptions, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request);
  const principal = options.accessControl.authenticate(
    { method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body }, 'secretsmanager');
  const target = String(request.headers['x-amz-target'] ?? '');
  const operation = target.startsWith(TARGET_PREFIX) ? SECRETS_MANAGER_OPERATIONS[target.slice(TARGET_PREFIX.length)] : undefined;
  if (request.method !== 'POST' || !operation) {
    sendError(response, 400, 'UnknownOperationException', `Operation ${target || '(none)'} is not supported by the local Secrets Manager`);
    return;
  }
  let input: Record<string, unknown>;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    sendError(response, 400, 'SerializationException', 'The request body is not valid JSON');
    return;
  }
  send(response, 200, operation(options.secrets, principal, input));
}

export async function startSecretsManagerApi(options: SecretsManagerApiOptions): Promise<ServedLocally> {
  const server = createServer((request, response) => {
    handle(options, request, response).catch((error: unknown) => {
      if (error instanceof AuthenticationError) sendError(response, error.httpStatus, error.code, error.message);
      else if (error instanceof SecretsManagerError) sendError(response, error.httpStatus, error.code, error.message);
      else sendError(response, 500, 'InternalServiceError', error instanceof Error ? error.message : String(error));
    });
  });
  return serveLocally(server, options.port);
}
