import type { ConditionContext } from './condition-operators';
import type { AccessRequest } from './types';

/**
 * The global condition keys AWS adds to every request, plus the caller's own `request.context`
 * (which wins, so a local service can state e.g. `aws:SourceArn` or override a default).
 */
export function buildConditionContext(request: AccessRequest, now: Date): ConditionContext {
  const context = new Map<string, readonly string[]>();
  const set = (key: string, value: string | readonly string[]): void => {
    context.set(key.toLowerCase(), typeof value === 'string' ? [value] : [...value]);
  };
  const { principal } = request;
  if (principal.service) {
    // As in AWS, a service principal has no aws:PrincipalArn / aws:PrincipalAccount, only its service name.
    set('aws:PrincipalServiceName', principal.service);
    set('aws:PrincipalIsAWSService', 'true');
  } else {
    set('aws:PrincipalArn', principal.arn);
    set('aws:PrincipalAccount', principal.accountId);
    set('aws:PrincipalIsAWSService', 'false');
  }
  // Local difference: the local endpoints are plain HTTP on loopback, yet every request is treated as
  // sent over TLS, so policies that deny `aws:SecureTransport = false` (CDK's enforceSSL) still let callers in.
  set('aws:SecureTransport', 'true');
  set('aws:CurrentTime', now.toISOString().replace(/\.\d{3}Z$/, 'Z'));
  set('aws:EpochTime', String(Math.floor(now.getTime() / 1000)));
  for (const [key, value] of Object.entries(request.context ?? {})) set(key, value);
  return context;
}
