/**
 * The contract between the local services (control plane, S3, KMS, Lambda, API Gateway, SQS,
 * topic rules) and the local IAM: who is calling (SigV4 authentication) and whether the policies
 * from the synthesized template allow what they ask (authorization).
 */
import type { IncomingHttpHeaders } from 'node:http';

/** A caller, as AWS names it in `aws:PrincipalArn`. */
export interface Principal {
  /**
   * e.g. arn:aws:iam::123456789012:role/JitrDemo-ActivatorRole-1A2B3C, or a user ARN for the demo's admin.
   * For a service principal, the service name (e.g. `apigateway.amazonaws.com`).
   */
  readonly arn: string;
  readonly accountId: string;
  /**
   * Set when an AWS service calls on its own behalf (API Gateway or IoT invoking a function): no identity
   * policy applies, only a resource policy statement whose Principal.Service names this service allows it.
   */
  readonly service?: string;
}

export interface LocalCredentials {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly sessionToken?: string;
}

/** An HTTP request as a local service received it, to check its SigV4 signature. */
export interface SignedHttpRequest {
  readonly method: string;
  /** The request target exactly as received: path and query string (`request.url`). */
  readonly url: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
}

/** One IAM policy document (identity or resource based), intrinsics already resolved. */
export interface PolicyDocument {
  readonly Version?: string;
  readonly Statement: PolicyStatement | readonly PolicyStatement[];
}

export interface PolicyStatement {
  readonly Sid?: string;
  readonly Effect: 'Allow' | 'Deny';
  readonly Principal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly NotPrincipal?: '*' | Readonly<Record<string, string | readonly string[]>>;
  readonly Action?: string | readonly string[];
  readonly NotAction?: string | readonly string[];
  readonly Resource?: string | readonly string[];
  readonly NotResource?: string | readonly string[];
  readonly Condition?: Readonly<Record<string, Readonly<Record<string, string | boolean | readonly (string | boolean)[]>>>>;
}

/** What a caller asks to do, in IAM terms. */
export interface AccessRequest {
  readonly principal: Principal;
  /** e.g. `iot:CreateThing`, `s3:GetObject`, `kms:Decrypt`, `execute-api:Invoke`. */
  readonly action: string;
  /** The ARN of the resource acted on (`*` for actions that take none). */
  readonly resource: string;
  /** The resource's own policy (bucket policy, queue policy, key policy, function policy), if it has one. */
  readonly resourcePolicy?: PolicyDocument;
  /** Extra request context keys (aws:SourceArn, s3:x-amz-server-side-encryption, ...). */
  readonly context?: Readonly<Record<string, string | readonly string[]>>;
}

export interface AccessDecision {
  readonly allowed: boolean;
  /**
   * Why, as the whole sentence an AWS AccessDenied message carries when refused ("User: <arn> is not authorized to
   * perform: <action> on resource: <arn> because no identity-based policy allows the <action> action"): use it as is.
   */
  readonly reason: string;
}

/** A SigV4 problem: the HTTP status and AWS error code a real service answers with, and a message. */
export class AuthenticationError extends Error {
  constructor(
    /** e.g. UnrecognizedClientException, InvalidSignatureException, MissingAuthenticationTokenException, SignatureDoesNotMatch (S3). */
    readonly code: string,
    message: string,
    readonly httpStatus: number = 403,
  ) {
    super(message);
    this.name = 'AuthenticationError';
  }
}

export interface AccessControl {
  /**
   * Recomputes the request's SigV4 signature (Authorization header; `service` is the signing name:
   * iot, s3, kms, lambda, sqs, execute-api) with the secret of its access key id, and answers the
   * principal the key belongs to. Throws AuthenticationError for a missing, unknown or wrong signature.
   */
  authenticate(request: SignedHttpRequest, service: string): Principal;
  /** Evaluates the principal's identity policies and the resource policy as AWS does (explicit deny wins). */
  authorize(request: AccessRequest): AccessDecision;
}
