import * as http from 'node:http';
import { LambdaApiError, send, sendError } from './api-responses';
import { functionArnFor, parseFunctionReference } from './function-lookup';
import { readBody } from './request-body';
import { signingRegion } from './signing-region';
import { LambdaServiceError, LocalFunctionDefinition, LocalFunctionInvoker } from './types';
import { serveLocally } from '../http/serve-locally';
import { AccessControl, AuthenticationError, Principal } from '../iam/types';

export interface LambdaApiOptions {
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** @default 127.0.0.1 */
  readonly host?: string;
  /** The region named in `Function not found` ARNs when the request's signature names none. @default us-east-1 */
  readonly region?: string;
  /** Told when a function invoked with InvocationType Event fails or cannot start (nobody waits for its answer). */
  readonly onEventError?: (functionName: string, error: unknown) => void;
}

export interface LambdaApi {
  /** e.g. http://127.0.0.1:43121: the `endpoint` for @aws-sdk/client-lambda. */
  readonly url: string;
  close(): Promise<void>;
}

const INVOKE_PATH = /^\/2015-03-31\/functions\/([^/]+)\/invocations\/?$/;
const INVOKE_ACTION = 'lambda:InvokeFunction';
/** Lambda returns at most the last 4 KB of the log with LogType Tail. */
const LOG_TAIL_BYTES = 4096;

type InvocationType = 'RequestResponse' | 'Event' | 'DryRun';

/**
 * The Lambda Invoke REST API as @aws-sdk/client-lambda calls it:
 * `POST /2015-03-31/functions/{FunctionName}/invocations[?Qualifier=]`, SigV4-signed for `lambda`,
 * authorized against the caller's policies and the function's resource policy.
 */
export async function startLambdaApi(options: LambdaApiOptions): Promise<LambdaApi> {
  const server = http.createServer((request, response) => {
    handleRequest(options, request, response).catch((error: unknown) => {
      if (!response.headersSent) {
        sendError(response, asApiError(error));
      } else {
        response.destroy();
      }
    });
  });
  return serveLocally(server, options.port, options.host);
}

async function handleRequest(options: LambdaApiOptions, request: http.IncomingMessage, response: http.ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const route = INVOKE_PATH.exec(url.pathname);
  const body = await readBody(request);
  if (!route || request.method !== 'POST') {
    throw new LambdaApiError('UnknownOperationException', `Unknown operation ${request.method} ${url.pathname}`, 404);
  }
  const principal = options.accessControl.authenticate(
    { method: request.method, url: request.url ?? '/', headers: request.headers, body },
    'lambda',
  );
  const invocationType = readInvocationType(request.headers['x-amz-invocation-type']);
  const definition = findFunction(options, principal, request, decodeURIComponent(route[1]), url.searchParams.get('Qualifier'));
  const decision = options.accessControl.authorize({
    principal,
    action: INVOKE_ACTION,
    resource: definition.functionArn,
    resourcePolicy: definition.resourcePolicy,
  });
  if (!decision.allowed) {
    throw accessDenied(decision.reason);
  }
  if (invocationType === 'DryRun') {
    send(response, 204, {});
    return;
  }
  const event = parseEvent(body);
  if (invocationType === 'Event') {
    // Lambda queues the event and answers at once; the function's outcome reaches nobody but its logs.
    options.functions.invoke(definition.functionArn, event).then(
      (result) => (result.functionError ? options.onEventError?.(definition.functionName, result.error) : undefined),
      (error: unknown) => options.onEventError?.(definition.functionName, error),
    );
    send(response, 202, {});
    return;
  }
  const result = await options.functions.invoke(definition.functionArn, event);
  const headers: Record<string, string> = { 'x-amz-executed-version': '$LATEST' };
  if (result.functionError) {
    headers['x-amz-function-error'] = result.functionError;
  }
  if (request.headers['x-amz-log-type'] === 'Tail') {
    headers['x-amz-log-result'] = logTail(result.logs);
  }
  send(response, 200, headers, JSON.stringify(result.payload ?? null));
}

function readInvocationType(header: string | string[] | undefined): InvocationType {
  const value = Array.isArray(header) ? header[0] : header;
  if (value === undefined || value === '' || value === 'RequestResponse' || value === 'Event' || value === 'DryRun') {
    return (value || 'RequestResponse') as InvocationType;
  }
  throw new LambdaApiError(
    'ValidationException',
    `1 validation error detected: Value '${value}' at 'invocationType' failed to satisfy constraint: Member must satisfy enum value set: [Event, RequestResponse, DryRun]`,
    400,
  );
}

/**
 * The function the path names. For one that does not exist Lambda still checks the caller may invoke
 * that ARN first: without the permission the answer is AccessDenied, not whether it exists.
 */
function findFunction(
  options: LambdaApiOptions,
  principal: Principal,
  request: http.IncomingMessage,
  functionName: string,
  qualifier: string | null,
): LocalFunctionDefinition {
  const reference = parseFunctionReference(functionName);
  if (!reference) {
    throw new LambdaApiError(
      'ValidationException',
      `1 validation error detected: Value '${functionName}' at 'functionName' failed to satisfy constraint: Member must satisfy regular expression pattern`,
      400,
    );
  }
  if (qualifier !== null && reference.qualifier !== undefined && qualifier !== reference.qualifier) {
    throw new LambdaApiError('InvalidParameterValueException', 'The derived qualifier from the function name does not match the specified qualifier.', 400);
  }
  const qualified = { ...reference, qualifier: reference.qualifier ?? qualifier ?? undefined };
  const qualifiedName = qualified.qualifier !== undefined && reference.qualifier === undefined ? `${functionName}:${qualified.qualifier}` : functionName;
  const definition = options.functions.find(qualifiedName);
  if (definition) {
    return definition;
  }
  const arn = functionArnFor(qualified, { region: signingRegion(request.headers) ?? options.region ?? 'us-east-1', accountId: principal.accountId });
  const decision = options.accessControl.authorize({ principal, action: INVOKE_ACTION, resource: arn });
  if (!decision.allowed) {
    throw accessDenied(decision.reason);
  }
  throw new LambdaApiError('ResourceNotFoundException', `Function not found: ${arn}`, 404);
}

/** The decision's reason is already AWS's whole sentence (User: ... is not authorized to perform: ... because ...). */
function accessDenied(reason: string): LambdaApiError {
  return new LambdaApiError('AccessDeniedException', reason, 403);
}

/** The payload is JSON; none at all is an empty object, as Lambda passes it. */
function parseEvent(body: Buffer): unknown {
  if (body.length === 0) {
    return {};
  }
  try {
    return JSON.parse(body.toString('utf8'));
  } catch (error) {
    throw new LambdaApiError('InvalidRequestContentException', `Could not parse request body into json: ${(error as Error).message}`, 400);
  }
}

function logTail(lines: readonly string[]): string {
  const log = Buffer.from(lines.join('\n'), 'utf8');
  return log.subarray(Math.max(0, log.length - LOG_TAIL_BYTES)).toString('base64');
}

function asApiError(error: unknown): LambdaApiError {
  if (error instanceof LambdaApiError) {
    return error;
  }
  if (error instanceof LambdaServiceError || error instanceof AuthenticationError) {
    return new LambdaApiError(error.code, error.message, error.httpStatus);
  }
  return new LambdaApiError('ServiceException', `The local Lambda service failed: ${(error as Error)?.message ?? String(error)}`, 500);
}
