/**
 * The SQS API over HTTP for SDK clients (`AWS_ENDPOINT_URL_SQS`): AWS JSON 1.0 as current
 * `@aws-sdk/client-sqs` speaks it (POST /, `X-Amz-Target: AmazonSQS.<Op>`), every request
 * SigV4-signed for service `sqs` and authorized against the local IAM with the queue's policy.
 */
import { randomUUID } from 'node:crypto';
import { createServer, IncomingMessage, ServerResponse } from 'node:http';
import { asSqsApiError, SqsApiError, sqsApiError } from './api-errors';
import { Clock, systemClock } from './clock';
import { QueueAddresses } from './queue-address';
import type { LocalQueues } from './queues';
import type { Json } from './request-fields';
import { SqsCall } from './sqs-call';
import { SQS_OPERATIONS } from './sqs-operations';
import { readBody } from '../http/read-body';
import { serveLocally, type ServedLocally } from '../http/serve-locally';
import type { AccessControl, PolicyDocument } from '../iam/types';

export interface SqsApiOptions {
  readonly queues: LocalQueues;
  readonly accessControl: AccessControl;
  /** The queue's policy (AWS::SQS::QueuePolicy), given to IAM as the resource policy. */
  readonly queuePolicy?: (queueArn: string) => PolicyDocument | undefined;
  readonly region: string;
  readonly accountId: string;
  /** Default 0: any free port. */
  readonly port?: number;
  /** Times long polls; pass the queues' clock when it is not the system clock. Default: the system clock. */
  readonly clock?: Clock;
}

export type RunningSqsApi = ServedLocally;

const TARGET_PREFIX = 'AmazonSQS.';
const CONTENT_TYPE = 'application/x-amz-json-1.0';

function send(response: ServerResponse, requestId: string, status: number, body: Json, extraHeaders: Record<string, string> = {}): void {
  if (response.writableEnded || response.destroyed) return;
  const payload = Buffer.from(JSON.stringify(body), 'utf8');
  response.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': payload.length,
    'x-amzn-requestid': requestId,
    ...extraHeaders,
  });
  response.end(payload);
}

function sendError(response: ServerResponse, requestId: string, error: SqsApiError): void {
  send(response, requestId, error.httpStatus, { __type: error.type, message: error.message }, {
    // What the SDK's query-compatible error parsing reads first (see api-errors.ts).
    'x-amzn-query-error': `${error.queryCode};${error.fault}`,
  });
}

function parseInput(body: Buffer): Json {
  let input: unknown;
  try {
    input = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
  } catch {
    throw sqsApiError('MalformedQueryString', 'The request body is not valid JSON.');
  }
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw sqsApiError('MalformedQueryString', 'The request body must be a JSON object.');
  return input as Json;
}

export async function startSqsApi(options: SqsApiOptions): Promise<RunningSqsApi> {
  const addresses = new QueueAddresses(options.queues, options.region, options.accountId);
  const clock = options.clock ?? systemClock;
  // Long polls still waiting: closing the server ends them, so close() does not wait up to 20 s.
  const open = new Set<AbortController>();

  async function handle(request: IncomingMessage, signal: AbortSignal): Promise<Json> {
    const body = await readBody(request);
    const principal = options.accessControl.authenticate({ method: request.method ?? 'POST', url: request.url ?? '/', headers: request.headers, body }, 'sqs');
    const target = String(request.headers['x-amz-target'] ?? '');
    const name = target.startsWith(TARGET_PREFIX) ? target.slice(TARGET_PREFIX.length) : '';
    const operation = Object.hasOwn(SQS_OPERATIONS, name) ? SQS_OPERATIONS[name] : undefined;
    if (request.method !== 'POST' || !operation) {
      throw sqsApiError('InvalidAction', `The action ${name || target || '(none)'} is not valid for this endpoint.`);
    }
    const input = parseInput(body);
    const call = new SqsCall({
      principal, accessControl: options.accessControl, addresses, queuePolicy: options.queuePolicy, clock, host: request.headers.host, signal,
    });
    return operation(call, input);
  }

  const server = createServer((request, response) => {
    const requestId = randomUUID();
    const controller = new AbortController();
    open.add(controller);
    // 'close' before the answer is written means the client hung up.
    response.on('close', () => {
      open.delete(controller);
      controller.abort();
    });
    handle(request, controller.signal)
      .then((output) => send(response, requestId, 200, output))
      .catch((error: unknown) => sendError(response, requestId, asSqsApiError(error)))
      .finally(() => open.delete(controller));
  });
  const served = await serveLocally(server, options.port);
  return {
    url: served.url,
    port: served.port,
    close: () => {
      for (const controller of open) controller.abort();
      return served.close();
    },
  };
}
