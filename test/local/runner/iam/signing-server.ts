import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { AuthenticationError, type AccessControl, type Principal, type SignedHttpRequest } from '../../../../local/runner/iam';

/** What the test server saw: the authenticated principal, or the AuthenticationError it answered with. */
export interface Received {
  readonly request: SignedHttpRequest;
  readonly principal?: Principal;
  readonly error?: AuthenticationError;
}

/**
 * A tiny endpoint that authenticates every request as the given service would, so that real AWS
 * SDK clients can be pointed at it: errors go back in the service's wire format (XML for S3,
 * x-amzn-ErrorType + JSON otherwise) so the SDK surfaces them under their code.
 */
export class SigningServer {
  readonly received: Received[] = [];
  private readonly server: Server;

  constructor(private readonly iam: AccessControl, private readonly service: string) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  get last(): Received {
    return this.received[this.received.length - 1];
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const received: SignedHttpRequest = { method: request.method!, url: request.url!, headers: request.headers, body: Buffer.concat(chunks) };
    try {
      const principal = this.iam.authenticate(received, this.service);
      this.received.push({ request: received, principal });
      response.statusCode = 200;
      if (this.service === 's3') response.setHeader('ETag', '"etag"');
      else response.setHeader('Content-Type', 'application/json');
      response.end(this.service === 's3' ? '' : '{}');
    } catch (error) {
      if (!(error instanceof AuthenticationError)) throw error;
      this.received.push({ request: received, error });
      response.statusCode = error.httpStatus;
      if (this.service === 's3') {
        response.setHeader('Content-Type', 'application/xml');
        response.end(`<?xml version="1.0" encoding="UTF-8"?><Error><Code>${error.code}</Code><Message>${error.message}</Message></Error>`);
      } else {
        response.setHeader('Content-Type', 'application/json');
        response.setHeader('x-amzn-ErrorType', error.code);
        response.end(JSON.stringify({ message: error.message }));
      }
    }
  }
}
