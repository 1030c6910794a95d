/** The events API Gateway sends to TOKEN and REQUEST Lambda authorizers. */
import { proxyRequestContext, requestDescription } from './proxy-event';
import type { RequestFacts } from './request-facts';

export function tokenAuthorizerEvent(token: string, methodArn: string): Record<string, unknown> {
  return { type: 'TOKEN', authorizationToken: token, methodArn };
}

export function requestAuthorizerEvent(facts: RequestFacts, methodArn: string): Record<string, unknown> {
  return { type: 'REQUEST', methodArn, ...requestDescription(facts), requestContext: proxyRequestContext(facts) };
}
