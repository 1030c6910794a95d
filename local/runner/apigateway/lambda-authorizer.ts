/**
 * CUSTOM methods: a TOKEN or REQUEST Lambda authorizer decides, through the IAM policy it returns, whether
 * the request reaches the integration; its principalId and context go on to requestContext.authorizer.
 */
import { AuthorizerCache, CachedAuthorization } from './authorizer-cache';
import { requestAuthorizerEvent, tokenAuthorizerEvent } from './authorizer-event';
import { evaluateAuthorizerPolicy } from './authorizer-policy';
import { authorizerArn } from './execute-api-arn';
import { authorizerConfigurationError, GatewayError, unauthorized } from './gateway-error';
import { identitySourceValues } from './identity-sources';
import { requireApiGatewayMayInvoke } from './lambda-permission';
import type { AuthorizerContext } from './proxy-event';
import type { RequestFacts } from './request-facts';
import type { RestApiAuthorizer } from './rest-api-definition';
import type { AccessControl } from '../iam/types';
import { InvokeResult, LambdaServiceError, LocalFunctionInvoker } from '../lambda/types';

export interface LambdaAuthorizerDependencies {
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  readonly region: string;
  readonly accountId: string;
  readonly log: (line: string) => void;
  readonly now?: () => number;
}

/** One per API server, so cached answers live as long as the server. */
export class LambdaAuthorizers {
  private readonly cache: AuthorizerCache;

  constructor(private readonly deps: LambdaAuthorizerDependencies) {
    this.cache = new AuthorizerCache(deps.now);
  }

  /** Resolves requestContext.authorizer, or throws the GatewayError API Gateway answers with. */
  async authorize(authorizer: RestApiAuthorizer, facts: RequestFacts, methodArn: string): Promise<AuthorizerContext> {
    const identity = identitySourceValues(authorizer.identitySource, { request: facts.request, stageVariables: facts.stageVariables, context: {} });
    const token = identity[0];
    if (authorizer.type === 'TOKEN') {
      // API Gateway refuses a missing or malformed token itself, without calling the function.
      if (token === undefined) throw unauthorized();
      if (authorizer.identityValidationExpression && !new RegExp(`^(?:${authorizer.identityValidationExpression})$`).test(token)) {
        throw unauthorized();
      }
    } else if (authorizer.resultTtlSeconds > 0 && identity.some((value) => value === undefined)) {
      // With caching on, every identity source of a REQUEST authorizer is required.
      throw unauthorized();
    }
    const cacheKey = [authorizer.id, ...identity.map((value) => value ?? '')].join('\u0000');
    const started = Date.now();
    const cached = authorizer.resultTtlSeconds > 0 ? this.cache.get(cacheKey) : undefined;
    const authorization = cached ?? await this.invoke(authorizer, facts.api.id, authorizer.type === 'TOKEN'
      ? tokenAuthorizerEvent(token as string, methodArn)
      : requestAuthorizerEvent(facts, methodArn));
    if (!cached) this.cache.set(cacheKey, authorization, authorizer.resultTtlSeconds);
    this.requireAllowed(authorizer, authorization, methodArn);
    return { ...authorization.context, principalId: authorization.principalId, integrationLatency: cached ? 0 : Date.now() - started };
  }

  private async invoke(authorizer: RestApiAuthorizer, apiId: string, event: Record<string, unknown>): Promise<CachedAuthorization> {
    const functionArn = authorizer.functionArn as string;
    requireApiGatewayMayInvoke(this.deps, functionArn, authorizerArn({ ...this.deps, apiId }, authorizer.id));
    let result: InvokeResult;
    try {
      result = await this.deps.functions.invoke(functionArn, event);
    } catch (error) {
      if (!(error instanceof LambdaServiceError)) throw error;
      this.deps.log(`API Gateway: authorizer ${authorizer.id} could not invoke ${functionArn}: ${error.code}: ${error.message}`);
      throw authorizerConfigurationError();
    }
    if (result.functionError) {
      const message = result.error?.errorMessage ?? (result.payload as { errorMessage?: string } | null)?.errorMessage;
      // `Unauthorized` is the one error message API Gateway turns into 401; any other failure is a 500.
      if (message === 'Unauthorized') throw unauthorized();
      this.deps.log(`API Gateway: authorizer ${authorizer.id} failed: ${result.error?.errorType ?? 'Error'}: ${message ?? ''}`);
      throw authorizerConfigurationError();
    }
    const authorization = authorizationFrom(result.payload);
    if (typeof authorization === 'string') {
      this.deps.log(`API Gateway: authorizer ${authorizer.id} returned an unusable response: ${authorization}`);
      throw authorizerConfigurationError();
    }
    return authorization;
  }

  private requireAllowed(authorizer: RestApiAuthorizer, authorization: CachedAuthorization, methodArn: string): void {
    let decision;
    try {
      decision = evaluateAuthorizerPolicy(authorization.policyDocument, methodArn);
    } catch (error) {
      this.deps.log(`API Gateway: authorizer ${authorizer.id} returned an unusable policy: ${(error as Error).message}`);
      throw authorizerConfigurationError();
    }
    if (decision === 'allow') return;
    const message = decision === 'deny'
      ? 'User is not authorized to access this resource with an explicit deny'
      : 'User is not authorized to access this resource';
    throw new GatewayError('ACCESS_DENIED', 403, 'AccessDeniedException', message, { defaultBody: JSON.stringify({ Message: message }) });
  }
}

/** The authorizer response, or why API Gateway would reject it. */
function authorizationFrom(payload: unknown): CachedAuthorization | string {
  if (typeof payload !== 'object' || payload === null) return 'not an object';
  const { principalId, policyDocument, context } = payload as Record<string, unknown>;
  if (principalId === undefined || principalId === null) return 'no principalId';
  if (policyDocument === undefined || policyDocument === null) return 'no policyDocument';
  if (context !== undefined && context !== null) {
    if (typeof context !== 'object' || Array.isArray(context)) return 'context is not an object';
    const nested = Object.entries(context).find(([, value]) => !['string', 'number', 'boolean'].includes(typeof value));
    if (nested) return `context.${nested[0]} is not a string, number or boolean`;
  }
  return { principalId: String(principalId), policyDocument, context: (context ?? {}) as CachedAuthorization['context'] };
}
