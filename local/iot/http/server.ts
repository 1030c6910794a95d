import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { requireShare, type LocalCloudFaults } from '../../faults';
import type { AccessControl, Principal } from '../../runner/iam/types';
import { IotServiceError, type IotModel } from '../model';
import { authenticateCaller, authorizeOperation, type Refusal } from './access-gate';
import { matchRoute, type QueryType, type Route } from './routes';
import { ArnBuilder } from '../model/arns';
import { resourcesToAuthorize } from '../model/iam-resources';

export interface ControlPlaneOptions {
  readonly model: IotModel;
  /** 0 (the default) picks a free port. */
  readonly port?: number;
  /** Default 127.0.0.1. */
  readonly host?: string;
  /**
   * When given, every request must carry a valid SigV4 signature (signing name `iot`) and every
   * operation is authorized as `iot:<Operation>` on its resources before the model runs. Without
   * it, any request is accepted, signed or not.
   */
  readonly accessControl?: AccessControl;
  /** Test-only: answer a share of the requests 500 InternalFailureException (see LocalCloudFaults). */
  readonly faults?: Pick<LocalCloudFaults, 'controlPlaneInternalFailureRate' | 'random'>;
}

export interface ControlPlane {
  /** e.g. http://127.0.0.1:49152; use it as the client's endpoint or AWS_ENDPOINT_URL_IOT. */
  readonly url: string;
  /** Requests answered 500 by the fault switch so far: before the operation ran, and after it took effect. */
  injectedInternalFailures(): { readonly beforeEffect: number; readonly afterEffect: number };
  close(): Promise<void>;
}

/** Larger bodies are refused (413): the largest AWS IoT request members are 64 KiB PEMs. */
const MAX_BODY_BYTES = 1024 * 1024;

/**
 * The AWS IoT control plane over HTTP, speaking restJson1 as `@aws-sdk/client-iot` sends it:
 * operations routed by method and path, input members bound from path labels, query parameters,
 * headers and the JSON body, output as JSON with timestamps in epoch seconds. Errors carry the
 * modeled status, `x-amzn-errortype: <Name>` and `{"message": ...}`, so the SDK raises the typed
 * exception. Requests are authenticated and authorized only when `accessControl` is given;
 * otherwise any Authorization header is accepted.
 */
export async function startControlPlane(options: ControlPlaneOptions): Promise<ControlPlane> {
  const { model, accessControl } = options;
  const arns = new ArnBuilder(model.region, model.accountId);
  const injected = { beforeEffect: 0, afterEffect: 0 };
  const failureRate = requireShare('controlPlaneInternalFailureRate', options.faults?.controlPlaneInternalFailureRate);
  const random = options.faults?.random ?? Math.random;
  const injectFailure: FailureInjector = {
    decide: () => (failureRate === 0 || random() >= failureRate ? undefined : random() < 0.5 ? 'beforeEffect' : 'afterEffect'),
    count: (when) => { injected[when] += 1; },
  };
  const server = createServer((request, response) => {
    handle({ model, accessControl, arns, injectFailure }, request, response).catch(error => {
      // handle() answers every request itself; this only guards against a failure while answering.
      if (!response.headersSent) sendError(response, 500, 'InternalFailureException', (error as Error).message);
      else response.destroy();
    });
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    injectedInternalFailures: () => ({ ...injected }),
    close: () => new Promise<void>((resolve, reject) => {
      server.close(error => (error ? reject(error) : resolve()));
      server.closeAllConnections();
    }),
  };
}

/** The fault switch: whether this request fails with an injected 500, and when (undefined for no); what was injected. */
interface FailureInjector {
  decide(): 'beforeEffect' | 'afterEffect' | undefined;
  count(when: 'beforeEffect' | 'afterEffect'): void;
}

interface Handler {
  readonly model: IotModel;
  readonly accessControl?: AccessControl;
  readonly arns: ArnBuilder;
  readonly injectFailure: FailureInjector;
}

const INJECTED_FAILURE_MESSAGE = 'An internal failure occurred (injected by the local cloud\'s fault switch)';

async function handle({ model, accessControl, arns, injectFailure }: Handler, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const url = new URL(request.url ?? '/', 'http://localhost');
  const segments = url.pathname.split('/').slice(1);
  const match = matchRoute(request.method ?? 'GET', segments);
  let body: Buffer;
  try {
    body = await readBody(request);
  } catch (error) {
    sendError(response, 413, 'RequestEntityTooLargeException', (error as Error).message);
    return;
  }
  // Authentication comes before routing, as on AWS: an unsigned request learns nothing about the API.
  let principal: Principal | undefined;
  if (accessControl !== undefined) {
    const caller = authenticateCaller(accessControl, request, body);
    if ('refusal' in caller) {
      sendRefusal(response, caller.refusal);
      return;
    }
    principal = caller.principal;
  }
  if (match === undefined) {
    sendError(response, 404, 'UnknownOperationException', `No AWS IoT operation at ${request.method} ${url.pathname}`);
    return;
  }
  if ('methodMismatch' in match) {
    sendError(response, 405, 'UnknownOperationException', `No AWS IoT operation at ${request.method} ${url.pathname}`);
    return;
  }
  try {
    const input = bindInput(match.route, match.labels, url.searchParams, request, body);
    if (accessControl !== undefined && principal !== undefined) {
      // Before the model runs, so a denied call changes nothing (not even a rate-limit token).
      const refusal = authorizeOperation(accessControl, principal, match.route.operation, resourcesToAuthorize(match.route.operation, input, arns));
      if (refusal !== undefined) {
        sendRefusal(response, refusal);
        return;
      }
    }
    const injected = injectFailure.decide();
    if (injected === 'beforeEffect') {
      injectFailure.count(injected);
      sendError(response, 500, 'InternalFailureException', INJECTED_FAILURE_MESSAGE);
      return;
    }
    const output = await match.route.invoke(model, input);
    if (injected === 'afterEffect') {
      injectFailure.count(injected);
      sendError(response, 500, 'InternalFailureException', INJECTED_FAILURE_MESSAGE);
      return;
    }
    sendJson(response, 200, toWire(output ?? {}));
  } catch (error) {
    if (error instanceof IotServiceError) {
      sendError(response, error.httpStatus, error.name, error.message, error.details);
    } else {
      sendError(response, 500, 'InternalFailureException', `An unexpected error has occurred: ${(error as Error).message}`);
    }
  }
}

function bindInput(
  route: Route,
  labels: Record<string, string>,
  query: URLSearchParams,
  request: IncomingMessage,
  body: Buffer,
): Record<string, unknown> {
  let input: Record<string, unknown> = {};
  if (route.body && body.length > 0) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch {
      throw new IotServiceError('InvalidRequestException', 400, 'The request body is not well-formed JSON');
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      throw new IotServiceError('InvalidRequestException', 400, 'The request body must be a JSON object');
    }
    input = { ...parsed };
  }
  for (const [name, [member, type]] of Object.entries(route.query ?? {})) {
    const value = query.get(name);
    if (value !== null) input[member] = queryValue(value, type, name);
  }
  for (const [header, member] of Object.entries(route.headers ?? {})) {
    const value = request.headers[header];
    if (typeof value === 'string') input[member] = value;
  }
  return { ...input, ...labels };
}

function queryValue(text: string, type: QueryType, name: string): string | boolean | number {
  if (type === 'boolean') {
    if (text === 'true' || text === 'false') return text === 'true';
    throw new IotServiceError('InvalidRequestException', 400, `Query parameter ${name} must be true or false`);
  }
  if (type === 'integer') {
    if (/^-?\d+$/.test(text)) return Number(text);
    throw new IotServiceError('InvalidRequestException', 400, `Query parameter ${name} must be an integer`);
  }
  return text;
}

function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    request.on('end', () => (tooLarge ? reject(new Error(`The request body exceeds ${MAX_BODY_BYTES} bytes`)) : resolve(Buffer.concat(chunks))));
    request.on('error', reject);
  });
}

/** restJson1 body form of an output: Dates become epoch seconds, undefined members disappear. */
function toWire(value: unknown): unknown {
  // By tag, not instanceof: a Date made in another realm (a test sandbox) is still a Date.
  if (Object.prototype.toString.call(value) === '[object Date]') return (value as Date).getTime() / 1000;
  if (Array.isArray(value)) return value.map(toWire);
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, member] of Object.entries(value)) {
      if (member !== undefined) out[key] = toWire(member);
    }
    return out;
  }
  return value;
}

function sendJson(response: ServerResponse, status: number, payload: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(payload);
  response.writeHead(status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function sendRefusal(response: ServerResponse, refusal: Refusal): void {
  sendError(response, refusal.status, refusal.errorType, refusal.message);
}

function sendError(response: ServerResponse, status: number, name: string, message: string, details: Readonly<Record<string, string>> = {}): void {
  sendJson(response, status, { ...details, message }, { 'x-amzn-errortype': name });
}
