/**
 * The AWS_PROXY integration: checks the function lets API Gateway invoke it, sends the proxy event, and
 * maps the result, with API Gateway's answers for the ways this fails (500, 502, 504).
 */
import { GatewayError, internalServerError } from './gateway-error';
import type { HttpAnswer } from './gateway-responses';
import { requireApiGatewayMayInvoke } from './lambda-permission';
import { AuthorizerContext, proxyEvent } from './proxy-event';
import { readProxyResponse } from './proxy-response';
import type { RequestFacts } from './request-facts';
import type { AccessControl } from '../iam/types';
import { InvokeResult, LambdaServiceError, LocalFunctionInvoker } from '../lambda/types';

/** API Gateway's integration timeout for REST APIs. */
export const DEFAULT_INTEGRATION_TIMEOUT_MS = 29_000;

export interface ProxyIntegrationDependencies {
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  readonly accountId: string;
  readonly log: (line: string) => void;
  readonly integrationTimeoutMs: number;
}

export async function invokeProxyIntegration(
  deps: ProxyIntegrationDependencies, facts: RequestFacts, functionArn: string, methodArn: string, authorizer?: AuthorizerContext,
): Promise<HttpAnswer> {
  requireApiGatewayMayInvoke(deps, functionArn, methodArn);
  let result: InvokeResult;
  try {
    result = await withTimeout(deps.functions.invoke(functionArn, proxyEvent(facts, authorizer)), deps.integrationTimeoutMs);
  } catch (error) {
    throw integrationError(deps, functionArn, error);
  }
  if (result.functionError) {
    deps.log(`API Gateway: Lambda function ${functionArn} failed: ${result.error?.errorType ?? 'Error'}: ${result.error?.errorMessage ?? ''}`);
    throw internalServerError('DEFAULT_5XX', 502);
  }
  const reading = readProxyResponse(result.payload);
  if ('malformed' in reading) {
    deps.log(`API Gateway: Execution failed due to configuration error: Malformed Lambda proxy response from ${functionArn}: ${reading.malformed}`);
    throw internalServerError('DEFAULT_5XX', 502);
  }
  return reading.answer;
}

function integrationError(deps: ProxyIntegrationDependencies, functionArn: string, error: unknown): GatewayError {
  if (error instanceof IntegrationTimeout) {
    deps.log(`API Gateway: Execution failed due to a timeout error: ${functionArn} did not answer within ${deps.integrationTimeoutMs} ms`);
    return new GatewayError('INTEGRATION_TIMEOUT', 504, 'InternalServerErrorException', 'Endpoint request timed out');
  }
  if (error instanceof LambdaServiceError) {
    deps.log(`API Gateway: Lambda could not invoke ${functionArn}: ${error.code}: ${error.message}`);
    // A throttled function is a 500 to the API's caller, not a 429: the caller did nothing wrong.
    if (error.httpStatus === 429) return internalServerError('DEFAULT_5XX', 500);
    return internalServerError('INTEGRATION_FAILURE', 502);
  }
  throw error;
}

class IntegrationTimeout extends Error {}

async function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_resolve, reject) => {
    timer = setTimeout(() => reject(new IntegrationTimeout()), timeoutMs);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
