/**
 * CloudFormation's custom resource protocol, as far as a Provider framework's user functions see
 * it: the request event, and the response the framework would PUT to the ResponseURL.
 */
import { randomBytes } from 'node:crypto';

export type RequestType = 'Create' | 'Update' | 'Delete';

/** The request CloudFormation sends; the framework passes it on to the user's onEvent unchanged. */
export interface CustomResourceRequest {
  readonly RequestType: RequestType;
  readonly ServiceToken: string;
  readonly ResponseURL: string;
  readonly StackId: string;
  readonly RequestId: string;
  readonly LogicalResourceId: string;
  readonly ResourceType: string;
  /** Update and Delete only. */
  readonly PhysicalResourceId?: string;
  /** The template's Properties, ServiceToken included, every number and boolean as a string. */
  readonly ResourceProperties: Readonly<Record<string, unknown>>;
  /** Update only. */
  readonly OldResourceProperties?: Readonly<Record<string, unknown>>;
}

/** CloudFormation's limit on a response body: larger ones fail the resource with "Response object is too long." */
export const MAX_RESPONSE_BYTES = 4096;

/** What the framework sends when a PhysicalResourceId is still missing (cfn-response.js). */
export const MISSING_PHYSICAL_ID_MARKER = 'AWSCDK::CustomResourceProviderFramework::MISSING_PHYSICAL_ID';

function stringified(value: unknown): unknown {
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return value.map(stringified);
  if (typeof value === 'object' && value !== null) return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, stringified(item)]));
  return value;
}

/** CloudFormation hands a custom resource its properties with every number and boolean turned into a string. */
export function requestProperties(properties: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return stringified(properties) as Record<string, unknown>;
}

/**
 * A ResponseURL of AWS's shape: CloudFormation's per-Region response bucket, the key
 * `<StackId>|<LogicalResourceId>|<RequestId>`, a presigned query. Nothing serves it locally, and
 * the Provider framework's user functions never use it.
 */
export function responseUrl(region: string, stackId: string, logicalId: string, requestId: string): string {
  const key = encodeURIComponent(`${stackId}|${logicalId}|${requestId}`);
  const query = [
    'X-Amz-Algorithm=AWS4-HMAC-SHA256',
    `X-Amz-Date=${new Date().toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '')}`,
    'X-Amz-SignedHeaders=host',
    'X-Amz-Expires=7200',
    `X-Amz-Signature=${randomBytes(32).toString('hex')}`,
  ].join('&');
  return `https://cloudformation-custom-resource-response-${region.replace(/-/g, '')}.s3.${region}.amazonaws.com/${key}?${query}`;
}

/** The framework's SUCCESS body (cfn-response.js submitResponse), whose size CloudFormation checks. */
export function successBody(request: CustomResourceRequest, physicalId: string | undefined, data: unknown, noEcho: boolean | undefined): string {
  return JSON.stringify({
    Status: 'SUCCESS',
    Reason: 'SUCCESS',
    StackId: request.StackId,
    RequestId: request.RequestId,
    PhysicalResourceId: physicalId || MISSING_PHYSICAL_ID_MARKER,
    LogicalResourceId: request.LogicalResourceId,
    NoEcho: noEcho,
    Data: data,
  });
}

/** The answer's Data as `Fn::GetAtt` returns it: strings (numbers and booleans as text, objects as JSON). */
export function attributesOf(data: unknown): Record<string, string> {
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return {};
  const attributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(data)) {
    if (value === undefined || value === null) continue;
    attributes[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return attributes;
}
