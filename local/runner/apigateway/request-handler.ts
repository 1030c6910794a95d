/**
 * One request through a REST API, in API Gateway's order: stage, route, method support, authorization
 * (IAM, Lambda authorizer, resource policy), request validation, then the Lambda proxy integration.
 * Every refusal on the way is a GatewayError, answered through the API's gateway responses.
 */
import { methodArn as methodArnOf } from './execute-api-arn';
import { GatewayError, internalServerError, missingAuthenticationToken } from './gateway-error';
import { HttpAnswer, renderGatewayError } from './gateway-responses';
import { headerValue, ReceivedRequest } from './http-request';
import { authorizeIamCaller, checkResourcePolicyForAnonymous, IamCaller } from './iam-authorization';
import { newExtendedRequestId, newRequestId } from './ids';
import type { LambdaAuthorizers } from './lambda-authorizer';
import { invokeProxyIntegration } from './lambda-proxy-integration';
import type { AuthorizerContext } from './proxy-event';
import type { RequestFacts } from './request-facts';
import type { RequestValidation } from './request-validation';
import type { RestApiDefinition } from './rest-api-definition';
import { matchRoute } from './router';
import type { AccessControl, PolicyDocument } from '../iam/types';
import type { LocalFunctionInvoker } from '../lambda/types';

export interface RestApiContext {
  readonly api: RestApiDefinition;
  readonly functions: LocalFunctionInvoker;
  readonly accessControl: AccessControl;
  readonly region: string;
  readonly accountId: string;
  readonly log: (line: string) => void;
  readonly integrationTimeoutMs: number;
  readonly authorizers: LambdaAuthorizers;
  readonly validation: RequestValidation;
  /** The API's resource policy with `execute-api:/` resources expanded to full ARNs. */
  readonly resourcePolicy?: PolicyDocument;
}

export async function handleRestApiRequest(context: RestApiContext, request: ReceivedRequest): Promise<HttpAnswer> {
  const requestId = newRequestId();
  const extendedRequestId = newExtendedRequestId();
  const variables: Record<string, string | undefined> = {
    'requestId': requestId,
    'extendedRequestId': extendedRequestId,
    'apiId': context.api.id,
    'httpMethod': request.method,
    'identity.sourceIp': request.sourceIp,
    'identity.userAgent': headerValue(request, 'user-agent'),
    'domainName': headerValue(request, 'host'),
  };
  let stageVariables: Readonly<Record<string, string>> = {};
  let answer: HttpAnswer;
  try {
    const pathname = new URL(request.rawUrl, 'http://localhost').pathname;
    const stageName = decodeURIComponent(pathname.split('/')[1] ?? '');
    const stage = context.api.stages.find((candidate) => candidate.name === stageName);
    // An unknown stage is not an API of this account at all: AWS answers a bare Forbidden.
    if (!stage) throw new GatewayError('DEFAULT_4XX', 403, 'ForbiddenException', 'Forbidden');
    stageVariables = stage.variables;
    variables.stage = stage.name;
    const path = pathname.slice(stageName.length + 1) || '/';
    variables.path = `/${stage.name}${path}`;
    const route = matchRoute(context.api, request.method, path);
    if (!route) throw missingAuthenticationToken();
    variables.resourcePath = route.resource.path;
    variables.resourceId = route.resource.id;
    if (route.method.unsupported) throw new GatewayError('DEFAULT_5XX', 501, 'NotImplementedException', route.method.unsupported);
    const methodArn = methodArnOf({ ...context, apiId: context.api.id }, stage.name, request.method, path);
    let facts: RequestFacts = {
      api: context.api,
      accountId: context.accountId,
      stage: stage.name,
      stageVariables,
      request,
      route,
      path,
      requestId,
      extendedRequestId,
      requestTimeEpoch: Date.now(),
    };
    let authorizer: AuthorizerContext | undefined;
    if (route.method.authorizationType === 'AWS_IAM') {
      const caller: IamCaller = authorizeIamCaller(context.accessControl, context.resourcePolicy, request, methodArn);
      facts = { ...facts, caller };
    } else {
      if (route.method.authorizationType === 'CUSTOM') {
        const definition = context.api.authorizers.find((candidate) => candidate.id === route.method.authorizerId);
        // restApisFromResources marks a CUSTOM method without a Lambda authorizer unsupported, so one is here.
        authorizer = await context.authorizers.authorize(definition!, facts, methodArn);
        variables['authorizer.principalId'] = String(authorizer.principalId);
      }
      checkResourcePolicyForAnonymous(context.accessControl, context.resourcePolicy, request, methodArn);
    }
    context.validation.validate({ method: route.method, request, pathParameters: route.pathParameters });
    answer = await invokeProxyIntegration(context, facts, route.method.integration.functionArn as string, methodArn, authorizer);
  } catch (error) {
    const gatewayError = error instanceof GatewayError ? error : unexpected(context, error);
    answer = renderGatewayError(gatewayError, { api: context.api, request, variables, stageVariables });
  }
  return { ...answer, headers: { ...answer.headers, 'x-amzn-RequestId': requestId, 'x-amz-apigw-id': extendedRequestId } };
}

function unexpected(context: RestApiContext, error: unknown): GatewayError {
  context.log(`API Gateway: ${context.api.name} failed to handle a request: ${error instanceof Error ? error.stack ?? error.message : String(error)}`);
  return internalServerError('DEFAULT_5XX', 500);
}
