/**
 * Serves one REST API on localhost: `http://127.0.0.1:<port>/<stage>/<resource path>`, the local
 * counterpart of `https://<id>.execute-api.<region>.amazonaws.com/<stage>/`.
 */
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { GatewayError } from './gateway-error';
import { HttpAnswer, renderGatewayError } from './gateway-responses';
import type { ReceivedRequest } from './http-request';
import { newExtendedRequestId, newRequestId } from './ids';
import { LambdaAuthorizers } from './lambda-authorizer';
import { DEFAULT_INTEGRATION_TIMEOUT_MS } from './lambda-proxy-integration';
import { handleRestApiRequest, RestApiContext } from './request-handler';
import { RequestValidation } from './request-validation';
import { expandedResourcePolicy } from './resource-policy';
import type { RestApiDefinition } from './rest-api-definition';
import { serveLocally } from '../http/serve-locally';
import type { AccessControl } from '../iam/types';
import type { LocalFunctionInvoker } from '../lambda/types';

/** API Gateway's payload limit for REST APIs. */
export const MAX_REQUEST_BODY_BYTES = 10 * 1024 * 1024;

export interface RestApiServerOptions {
  readonly api: RestApiDefinition;
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  readonly region: string;
  readonly accountId: string;
  /** @default 0 (any free port) */
  readonly port?: number;
  /** Where execution-log lines go (missing permissions, function errors, malformed responses). @default stderr */
  readonly log?: (line: string) => void;
  /** @default 29000, API Gateway's integration timeout */
  readonly integrationTimeoutMs?: number;
  /** Clock for the authorizer cache. @default Date.now */
  readonly now?: () => number;
}

export interface RunningRestApi {
  /** The invoke URL of the first stage, ending in `/`. */
  readonly url: string;
  /** Stage name -> invoke URL, for APIs with more than one stage. */
  readonly stageUrls: Readonly<Record<string, string>>;
  readonly port: number;
  close(): Promise<void>;
}

export async function startRestApi(options: RestApiServerOptions): Promise<RunningRestApi> {
  const { api } = options;
  if (api.stages.length === 0) throw new Error(`REST API ${api.name} (${api.logicalId}) has no stage (no AWS::ApiGateway::Stage or Deployment StageName) to serve`);
  const log = options.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  const context: RestApiContext = {
    api,
    functions: options.functions,
    accessControl: options.accessControl,
    region: options.region,
    accountId: options.accountId,
    log,
    integrationTimeoutMs: options.integrationTimeoutMs ?? DEFAULT_INTEGRATION_TIMEOUT_MS,
    authorizers: new LambdaAuthorizers({ ...options, log }),
    validation: new RequestValidation(api, log),
    resourcePolicy: expandedResourcePolicy(api.policy, { region: options.region, accountId: options.accountId, apiId: api.id }),
  };
  const server = createServer((req, res) => {
    serve(context, req, res).catch((error: unknown) => {
      log(`API Gateway: ${api.name} could not answer a request: ${String(error)}`);
      if (!res.headersSent) res.writeHead(500);
      res.end();
    });
  });
  const served = await serveLocally(server, options.port);
  const stageUrls = Object.fromEntries(api.stages.map((stage) => [stage.name, `${served.url}/${encodeURIComponent(stage.name)}/`]));
  return { url: stageUrls[api.stages[0].name], stageUrls, port: served.port, close: served.close };
}

async function serve(context: RestApiContext, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const { body, tooLarge } = await readBody(req);
  const request: ReceivedRequest = {
    method: (req.method ?? 'GET').toUpperCase(),
    rawUrl: req.url ?? '/',
    headers: req.headers,
    rawHeaders: req.rawHeaders,
    body,
    sourceIp: (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, ''),
  };
  const answer = tooLarge ? requestTooLarge(context, request) : await handleRestApiRequest(context, request);
  res.writeHead(answer.statusCode, { ...answer.headers, 'Content-Length': String(answer.body.length) });
  res.end(answer.body);
}

/** Reads the whole body; past the limit the rest is drained and dropped so the 413 can still be sent. */
async function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size <= MAX_REQUEST_BODY_BYTES) chunks.push(chunk as Buffer);
  }
  return { body: size > MAX_REQUEST_BODY_BYTES ? Buffer.alloc(0) : Buffer.concat(chunks), tooLarge: size > MAX_REQUEST_BODY_BYTES };
}

function requestTooLarge(context: RestApiContext, request: ReceivedRequest): HttpAnswer {
  const requestId = newRequestId();
  const extendedRequestId = newExtendedRequestId();
  const error = new GatewayError('REQUEST_TOO_LARGE', 413, 'RequestTooLargeException', 'Request Too Long');
  const answer = renderGatewayError(error, { api: context.api, request, variables: { requestId, extendedRequestId }, stageVariables: {} });
  return { ...answer, headers: { ...answer.headers, 'x-amzn-RequestId': requestId, 'x-amz-apigw-id': extendedRequestId } };
}


