/**
 * The Lambda proxy integration event (payload format 1.0) and its requestContext, field for field as a
 * REST API sends them; absent collections are null, as in AWS.
 */
import { headerValue, mediaTypeOf, multiValueHeaders, multiValueQuery } from './http-request';
import { isBinaryMediaType } from './media-types';
import type { RequestFacts } from './request-facts';

export type AuthorizerContext = Readonly<Record<string, string | number | boolean>>;

export function proxyEvent(facts: RequestFacts, authorizer?: AuthorizerContext): Record<string, unknown> {
  const binary = isBinaryMediaType(mediaTypeOf(facts.request), facts.api.binaryMediaTypes);
  const body = facts.request.body.length === 0 ? null : facts.request.body.toString(binary ? 'base64' : 'utf8');
  return {
    ...requestDescription(facts),
    requestContext: proxyRequestContext(facts, authorizer),
    body,
    isBase64Encoded: binary && body !== null,
  };
}

/** The fields the proxy event shares with the REQUEST authorizer event. */
export function requestDescription(facts: RequestFacts): Record<string, unknown> {
  const headers = multiValueHeaders(facts.request);
  const query = multiValueQuery(facts.request);
  return {
    resource: facts.route.resource.path,
    path: facts.path,
    httpMethod: facts.request.method,
    headers: nullIfEmpty(lastValues(headers)),
    multiValueHeaders: nullIfEmpty(headers),
    queryStringParameters: nullIfEmpty(lastValues(query)),
    multiValueQueryStringParameters: nullIfEmpty(query),
    pathParameters: nullIfEmpty(facts.route.pathParameters),
    stageVariables: nullIfEmpty(facts.stageVariables),
  };
}

export function proxyRequestContext(facts: RequestFacts, authorizer?: AuthorizerContext): Record<string, unknown> {
  const host = headerValue(facts.request, 'host') ?? '';
  return {
    accountId: facts.accountId,
    apiId: facts.api.id,
    stage: facts.stage,
    resourceId: facts.route.resource.id,
    resourcePath: facts.route.resource.path,
    httpMethod: facts.request.method,
    path: `/${facts.stage}${facts.path}`,
    requestId: facts.requestId,
    extendedRequestId: facts.extendedRequestId,
    requestTime: clfTime(facts.requestTimeEpoch),
    requestTimeEpoch: facts.requestTimeEpoch,
    protocol: 'HTTP/1.1',
    domainName: host,
    domainPrefix: host.split('.')[0],
    identity: identity(facts),
    ...(authorizer ? { authorizer } : {}),
  };
}

function identity(facts: RequestFacts): Record<string, string | null> {
  const caller = facts.caller;
  const callerId = caller ? callerIdOf(caller.principal.arn) : null;
  return {
    cognitoIdentityPoolId: null,
    cognitoIdentityId: null,
    cognitoAuthenticationType: null,
    cognitoAuthenticationProvider: null,
    principalOrgId: null,
    apiKey: null,
    apiKeyId: null,
    accountId: caller?.principal.accountId ?? null,
    caller: callerId,
    user: callerId,
    userArn: caller?.principal.arn ?? null,
    accessKey: caller?.accessKey ?? null,
    sourceIp: facts.request.sourceIp,
    userAgent: headerValue(facts.request, 'user-agent') ?? null,
  };
}

/**
 * AWS puts the caller's unique id here (AIDA... for a user, AROA...:session for a role session); the local
 * IAM has no unique ids, so the readable equivalent stands in: the user name, or `RoleName:session`.
 */
function callerIdOf(arn: string): string {
  const assumedRole = /:assumed-role\/([^/]+)\/(.+)$/.exec(arn);
  if (assumedRole) return `${assumedRole[1]}:${assumedRole[2]}`;
  return arn.split('/').slice(-1)[0];
}

/** `09/Apr/2015:12:34:56 +0000`, the format of requestContext.requestTime. */
function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const month = date.toLocaleString('en-US', { month: 'short', timeZone: 'UTC' });
  const pad = (value: number) => String(value).padStart(2, '0');
  return `${pad(date.getUTCDate())}/${month}/${date.getUTCFullYear()}:${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`;
}

function lastValues(values: Readonly<Record<string, string[]>>): Record<string, string> {
  return Object.fromEntries(Object.entries(values).map(([name, list]) => [name, list[list.length - 1]]));
}

function nullIfEmpty<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}
