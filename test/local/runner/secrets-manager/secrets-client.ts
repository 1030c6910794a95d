/**
 * A minimal awsJson1_1 Secrets Manager client for the tests: `@aws-sdk/client-secrets-manager` is not installed, so
 * requests are built as that client builds them (POST /, `X-Amz-Target: secretsmanager.<Op>`, JSON body) and signed
 * with the SDK's own SigV4 signer for service `secretsmanager`; errors come back named as the SDK names them.
 */
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { LocalCredentials } from '../../../../local/runner/iam';
import { NodeSha256 } from '../../../../local/runner/iam/node-sha256';

export class SecretsManagerCallError extends Error {
  constructor(readonly name: string, message: string, readonly $metadata: { httpStatusCode: number }) {
    super(message);
  }
}

export function secretsClient(endpoint: string, credentials: LocalCredentials, region = 'us-east-1') {
  const url = new URL(endpoint);
  const signer = new SignatureV4({ service: 'secretsmanager', region, credentials, sha256: NodeSha256 });
  return async (operation: string, input: Record<string, unknown>): Promise<Record<string, any>> => {
    const body = JSON.stringify(input);
    const request = new HttpRequest({
      method: 'POST',
      protocol: url.protocol,
      hostname: url.hostname,
      port: Number(url.port),
      path: '/',
      headers: {
        'host': url.host,
        'content-type': 'application/x-amz-json-1.1',
        'x-amz-target': `secretsmanager.${operation}`,
      },
      body,
    });
    const signed = await signer.sign(request);
    const response = await fetch(`${endpoint}/`, { method: 'POST', headers: signed.headers, body });
    const output = await response.json() as Record<string, any>;
    if (!response.ok) {
      throw new SecretsManagerCallError(String(output.__type), String(output.message ?? output.Message), { httpStatusCode: response.status });
    }
    return output;
  };
}
