/**
 * An HTTP call signed with AWS Signature Version 4, as a user's tool calls an IAM-authorized API
 * Gateway endpoint (`execute-api`). Unsigned when no credentials are given, to show the refusal.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../../local/runner/iam/node-sha256';

export interface SigningCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

export interface SignedRequestOptions {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly body?: string;
  readonly credentials?: SigningCredentials;
  readonly region: string;
  /** @default 'execute-api' */
  readonly service?: string;
}

export interface HttpAnswer {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is not JSON. */
  readonly json: any;
}

export async function signedRequest(url: string, options: SignedRequestOptions): Promise<HttpAnswer> {
  const target = new URL(url);
  let headers: Record<string, string> = { 'content-type': 'application/json', 'host': target.host };
  if (options.credentials) {
    const signer = new SignatureV4({
      credentials: options.credentials,
      region: options.region,
      service: options.service ?? 'execute-api',
      sha256: NodeSha256,
    });
    const signed = await signer.sign(new HttpRequest({
      method: options.method,
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port ? Number(target.port) : undefined,
      path: target.pathname,
      query: Object.fromEntries(target.searchParams),
      headers,
      body: options.body,
    }));
    headers = signed.headers as Record<string, string>;
  }
  const { host: _host, ...sendable } = headers; // fetch sets Host itself, from the URL
  const response = await fetch(url, { method: options.method, headers: sendable, body: options.body });
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}
