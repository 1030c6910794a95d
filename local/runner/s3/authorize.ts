/** S3's authorization step: the caller's identity policies and the bucket policy, through AccessControl. */
import { S3Error } from './errors';
import type { S3Request } from './s3-request';
import type { AccessDecision } from '../iam/types';

export function decide(request: S3Request, action: string, resource: string, context: Record<string, string> = {}): AccessDecision {
  return request.services.accessControl.authorize({
    principal: request.principal,
    action,
    resource,
    resourcePolicy: request.bucket.policy,
    context: { 'aws:SecureTransport': String(request.services.secureTransport), ...context },
  });
}

export function requireAllowed(request: S3Request, action: string, resource: string, context: Record<string, string> = {}): void {
  const decision = decide(request, action, resource, context);
  if (!decision.allowed) {
    throw new S3Error('AccessDenied', decision.reason, 403);
  }
}
