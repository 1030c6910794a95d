/**
 * The reason a refused AccessDecision carries, worded as the local IAM (and AWS) word it: the
 * whole AccessDenied sentence. Test doubles of AccessControl answer with it so the services
 * under test pass it on exactly as they do with the real LocalIam.
 */
import type { AccessRequest } from '../../local/runner/iam/types';

export function denialReason(request: AccessRequest, explicitDenyIn?: 'an identity-based policy' | 'a resource-based policy'): string {
  const who = request.principal.service ?? request.principal.arn;
  const sentence = `User: ${who} is not authorized to perform: ${request.action} on resource: ${request.resource}`;
  return explicitDenyIn
    ? `${sentence} with an explicit deny in ${explicitDenyIn}`
    : `${sentence} because no ${request.resourcePolicy && request.principal.service ? 'resource-based' : 'identity-based'} policy allows the ${request.action} action`;
}
