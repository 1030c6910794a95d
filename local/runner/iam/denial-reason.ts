import type { AccessRequest } from './types';

/** Which kind of policy held the explicit Deny. */
export type DenyingPolicy = 'an identity-based policy' | 'a resource-based policy';

/**
 * The sentence AWS puts in an AccessDenied message, without the Sid: the explicit deny and where it
 * stood, or the kind of policy that would have had to allow the action (a resource policy for a
 * service principal, which has no identity policies). Every local service answers with it as is.
 */
export function denialReason(request: AccessRequest, explicitDenyIn?: DenyingPolicy): string {
  const sentence = `User: ${request.principal.arn} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  if (explicitDenyIn) return `${sentence} with an explicit deny in ${explicitDenyIn}`;
  const missing = request.principal.service ? 'resource-based' : 'identity-based';
  return `${sentence} because no ${missing} policy allows the ${request.action} action`;
}
