/**
 * Reads the API Gateway REST API resources of the synthesized stacks (RestApi, Resource, Method, Model,
 * RequestValidator, GatewayResponse, Authorizer, Deployment, Stage) into one definition per API, and lists
 * what the local server cannot honour so the runner can say so at start-up instead of faking it.
 */
import type { PolicyDocument } from '../iam/types';
import type { ResolvedResource } from '../types';
import { functionArnFromInvocationUri } from './integration-uri';

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'COGNITO_USER_POOLS';

export interface RestApiResource {
  readonly id: string;
  /** The full template path, e.g. `/items/{id}`; `/` for the root resource. */
  readonly path: string;
}

export interface RestApiIntegration {
  /** AWS_PROXY, AWS, HTTP, HTTP_PROXY or MOCK. */
  readonly type: string;
  readonly uri?: string;
  readonly httpMethod?: string;
  /** The Lambda function an AWS_PROXY integration invokes. */
  readonly functionArn?: string;
}

export interface RestApiMethod {
  readonly resourceId: string;
  readonly resourcePath: string;
  /** GET, POST, ..., or ANY. */
  readonly httpMethod: string;
  readonly authorizationType: AuthorizationType;
  readonly authorizerId?: string;
  readonly apiKeyRequired: boolean;
  readonly requestValidatorId?: string;
  /** Content type -> model name. */
  readonly requestModels: Readonly<Record<string, string>>;
  /** `method.request.header.X` / `method.request.querystring.Y` / `method.request.path.Z` -> required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  readonly integration: RestApiIntegration;
  /** Why the local server cannot run this method; requests to it answer 501 with this sentence. */
  readonly unsupported?: string;
}

export interface RestApiModel {
  readonly name: string;
  readonly contentType?: string;
  readonly schema: unknown;
}

export interface RestApiRequestValidator {
  readonly id: string;
  readonly validateRequestBody: boolean;
  readonly validateRequestParameters: boolean;
}

export interface GatewayResponseDefinition {
  /** e.g. BAD_REQUEST_BODY, ACCESS_DENIED, DEFAULT_4XX. */
  readonly responseType: string;
  readonly statusCode?: number;
  /** Content type -> template. */
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** `gatewayresponse.header.X` -> `'literal'` or `method.request.header.Y`. */
  readonly responseParameters: Readonly<Record<string, string>>;
}

export interface RestApiAuthorizer {
  readonly id: string;
  readonly name?: string;
  readonly type: 'TOKEN' | 'REQUEST' | 'COGNITO_USER_POOLS';
  /** For Lambda authorizers, the function AuthorizerUri points at. */
  readonly functionArn?: string;
  /** e.g. `method.request.header.Authorization`, comma-separated for REQUEST authorizers. */
  readonly identitySource?: string;
  readonly identityValidationExpression?: string;
  /** AuthorizerResultTtlInSeconds; API Gateway's default is 300. */
  readonly resultTtlSeconds: number;
  readonly providerArns?: readonly string[];
}

export interface RestApiStage {
  readonly name: string;
  readonly variables: Readonly<Record<string, string>>;
}

export interface RestApiDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  /** The API id (what `Ref` of the RestApi answers). */
  readonly id: string;
  readonly name: string;
  readonly rootResourceId: string;
  readonly resources: readonly RestApiResource[];
  readonly methods: readonly RestApiMethod[];
  readonly models: readonly RestApiModel[];
  readonly validators: readonly RestApiRequestValidator[];
  readonly gatewayResponses: readonly GatewayResponseDefinition[];
  readonly authorizers: readonly RestApiAuthorizer[];
  readonly stages: readonly RestApiStage[];
  /** Content types whose bodies reach the function base64-encoded (BinaryMediaTypes). */
  readonly binaryMediaTypes: readonly string[];
  /** The RestApi's resource policy. */
  readonly policy?: PolicyDocument;
  /** Plain sentences about what the local server does not honour, to print at start-up. */
  readonly unsupported: readonly string[];
}

const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

/** One definition per AWS::ApiGateway::RestApi; its children are found by their RestApiId. */
export function restApisFromResources(resources: readonly ResolvedResource[]): RestApiDefinition[] {
  return resources.filter((resource) => resource.type === 'AWS::ApiGateway::RestApi').map((api) => restApiDefinition(api, resources));
}

function restApiDefinition(api: ResolvedResource, all: readonly ResolvedResource[]): RestApiDefinition {
  const children = (type: string) => all.filter((resource) => resource.type === type && resource.properties.RestApiId === api.physicalId);
  const name = stringProperty(api, 'Name') ?? api.logicalId;
  const rootResourceId = api.attributes.RootResourceId ?? `${api.physicalId}-root`;
  const resources = resourceTree(rootResourceId, children('AWS::ApiGateway::Resource'));
  const authorizers = children('AWS::ApiGateway::Authorizer').map(authorizerDefinition);
  const methods = children('AWS::ApiGateway::Method').map((method) => methodDefinition(method, resources, authorizers));
  // Sentences name the API as the start-up list names every resource: stack/logical id (and the API's own name).
  const where = `${api.stackName}/${api.logicalId}${name === api.logicalId ? '' : ` (REST API ${name})`}`;
  const unsupported = [
    ...apiLevelUnsupported(api, where, children('AWS::ApiGateway::Stage')),
    ...methods.filter((method) => method.unsupported).map((method) => `${where}: ${method.unsupported}`),
  ];
  return {
    stackName: api.stackName,
    logicalId: api.logicalId,
    id: api.physicalId,
    name,
    rootResourceId,
    resources,
    methods,
    models: children('AWS::ApiGateway::Model').map((model) => ({
      name: stringProperty(model, 'Name') ?? model.physicalId,
      contentType: stringProperty(model, 'ContentType'),
      schema: parseJsonIfString(model.properties.Schema),
    })),
    validators: children('AWS::ApiGateway::RequestValidator').map((validator) => ({
      id: validator.physicalId,
      validateRequestBody: booleanProperty(validator.properties.ValidateRequestBody),
      validateRequestParameters: booleanProperty(validator.properties.ValidateRequestParameters),
    })),
    gatewayResponses: children('AWS::ApiGateway::GatewayResponse').map(gatewayResponseDefinition),
    authorizers,
    stages: stagesOf(children('AWS::ApiGateway::Stage'), children('AWS::ApiGateway::Deployment')),
    binaryMediaTypes: stringList(api.properties.BinaryMediaTypes).map(decodeMediaType),
    ...(api.properties.Policy === undefined ? {} : { policy: parseJsonIfString(api.properties.Policy) as PolicyDocument }),
    unsupported,
  };
}

/** Paths come from following ParentId up to the root; a resource whose parent is unknown is left out. */
function resourceTree(rootResourceId: string, resources: readonly ResolvedResource[]): RestApiResource[] {
  const byId = new Map(resources.map((resource) => [resource.physicalId, resource]));
  const paths = new Map<string, string | undefined>([[rootResourceId, '/']]);
  const pathOf = (id: string, seen: Set<string>): string | undefined => {
    if (paths.has(id)) return paths.get(id);
    const resource = byId.get(id);
    if (!resource || seen.has(id)) return undefined;
    seen.add(id);
    const parentPath = pathOf(String(resource.properties.ParentId), seen);
    const path = parentPath === undefined ? undefined : `${parentPath === '/' ? '' : parentPath}/${String(resource.properties.PathPart)}`;
    paths.set(id, path);
    return path;
  };
  const tree: RestApiResource[] = [{ id: rootResourceId, path: '/' }];
  for (const resource of resources) {
    const path = pathOf(resource.physicalId, new Set());
    if (path !== undefined) tree.push({ id: resource.physicalId, path });
  }
  return tree;
}

function methodDefinition(method: ResolvedResource, resources: readonly RestApiResource[], authorizers: readonly RestApiAuthorizer[]): RestApiMethod {
  const props = method.properties;
  const resourceId = String(props.ResourceId);
  const resourcePath = resources.find((resource) => resource.id === resourceId)?.path ?? `(unknown resource ${resourceId})`;
  const httpMethod = String(props.HttpMethod ?? 'ANY').toUpperCase();
  const authorizationType = (stringProperty(method, 'AuthorizationType') ?? 'NONE').toUpperCase() as AuthorizationType;
  const authorizerId = stringProperty(method, 'AuthorizerId');
  const integration = integrationDefinition(props.Integration);
  const definition: RestApiMethod = {
    resourceId,
    resourcePath,
    httpMethod,
    authorizationType,
    ...(authorizerId ? { authorizerId } : {}),
    apiKeyRequired: booleanProperty(props.ApiKeyRequired),
    ...(stringProperty(method, 'RequestValidatorId') ? { requestValidatorId: stringProperty(method, 'RequestValidatorId') } : {}),
    requestModels: stringRecord(props.RequestModels),
    requestParameters: Object.fromEntries(Object.entries(recordOf(props.RequestParameters)).map(([key, value]) => [key, booleanProperty(value)])),
    integration,
  };
  const unsupported = unsupportedMethodReason(definition, authorizers);
  return unsupported ? { ...definition, unsupported } : definition;
}

function integrationDefinition(value: unknown): RestApiIntegration {
  const integration = recordOf(value);
  const type = String(integration.Type ?? 'MOCK').toUpperCase();
  const uri = typeof integration.Uri === 'string' ? integration.Uri : undefined;
  const functionArn = type === 'AWS_PROXY' && uri ? functionArnFromInvocationUri(uri) : undefined;
  return {
    type,
    ...(uri ? { uri } : {}),
    ...(typeof integration.IntegrationHttpMethod === 'string' ? { httpMethod: integration.IntegrationHttpMethod } : {}),
    ...(functionArn ? { functionArn } : {}),
  };
}

/** The first reason, in the order a request would meet it, why this method cannot run locally. */
function unsupportedMethodReason(method: RestApiMethod, authorizers: readonly RestApiAuthorizer[]): string | undefined {
  const label = `${method.httpMethod} ${method.resourcePath}`;
  if (method.authorizationType === 'COGNITO_USER_POOLS') {
    return `${label} uses a Cognito user pool authorizer, which the local API Gateway does not verify`;
  }
  if (method.authorizationType === 'CUSTOM') {
    const authorizer = authorizers.find((candidate) => candidate.id === method.authorizerId);
    if (!authorizer) return `${label} names authorizer ${method.authorizerId ?? '(none)'}, which the template does not define`;
    if (authorizer.type === 'COGNITO_USER_POOLS') {
      return `${label} uses a Cognito user pool authorizer, which the local API Gateway does not verify`;
    }
    if (!authorizer.functionArn) return `${label} uses authorizer ${authorizer.id} whose AuthorizerUri is not a Lambda function`;
  }
  if (method.apiKeyRequired) return `${label} requires an API key; API keys and usage plans are not checked locally`;
  if (method.integration.type !== 'AWS_PROXY') {
    return `${label} has an integration of type ${method.integration.type}; only Lambda proxy (AWS_PROXY) integrations run locally`;
  }
  if (!method.integration.functionArn) {
    return `${label} has an AWS_PROXY integration whose Uri is not a Lambda function (${method.integration.uri ?? 'no Uri'})`;
  }
  return undefined;
}

function authorizerDefinition(authorizer: ResolvedResource): RestApiAuthorizer {
  const props = authorizer.properties;
  const type = String(props.Type ?? 'TOKEN').toUpperCase() as RestApiAuthorizer['type'];
  const uri = stringProperty(authorizer, 'AuthorizerUri');
  const functionArn = uri ? functionArnFromInvocationUri(uri) : undefined;
  const ttl = props.AuthorizerResultTtlInSeconds;
  const identityValidationExpression = stringProperty(authorizer, 'IdentityValidationExpression');
  const name = stringProperty(authorizer, 'Name');
  return {
    id: authorizer.physicalId,
    ...(name ? { name } : {}),
    type,
    ...(functionArn ? { functionArn } : {}),
    identitySource: stringProperty(authorizer, 'IdentitySource') ?? (type === 'TOKEN' ? 'method.request.header.Authorization' : undefined),
    ...(identityValidationExpression ? { identityValidationExpression } : {}),
    resultTtlSeconds: ttl === undefined ? DEFAULT_AUTHORIZER_TTL_SECONDS : Number(ttl),
    ...(props.ProviderARNs ? { providerArns: stringList(props.ProviderARNs) } : {}),
  };
}

function gatewayResponseDefinition(response: ResolvedResource): GatewayResponseDefinition {
  const statusCode = response.properties.StatusCode;
  return {
    responseType: String(response.properties.ResponseType),
    ...(statusCode === undefined ? {} : { statusCode: Number(statusCode) }),
    responseTemplates: stringRecord(response.properties.ResponseTemplates),
    responseParameters: stringRecord(response.properties.ResponseParameters),
  };
}

/** Stages from AWS::ApiGateway::Stage, plus those a Deployment creates itself through its StageName. */
function stagesOf(stages: readonly ResolvedResource[], deployments: readonly ResolvedResource[]): RestApiStage[] {
  const result: RestApiStage[] = stages.map((stage) => ({
    name: stringProperty(stage, 'StageName') ?? stage.physicalId,
    variables: stringRecord(stage.properties.Variables),
  }));
  for (const deployment of deployments) {
    const name = stringProperty(deployment, 'StageName');
    if (name && !result.some((stage) => stage.name === name)) {
      result.push({ name, variables: stringRecord(recordOf(deployment.properties.StageDescription).Variables) });
    }
  }
  return result;
}

function apiLevelUnsupported(api: ResolvedResource, name: string, stages: readonly ResolvedResource[]): string[] {
  const sentences: string[] = [];
  if (api.properties.Body !== undefined || api.properties.BodyS3Location !== undefined) {
    sentences.push(`${name}: an OpenAPI definition (Body/BodyS3Location) is not imported; only its AWS::ApiGateway::* resources are served`);
  }
  const endpointTypes = stringList(recordOf(api.properties.EndpointConfiguration).Types);
  if (endpointTypes.includes('PRIVATE')) sentences.push(`${name}: a PRIVATE endpoint is served on localhost like a regional one`);
  const isThrottling = (setting: unknown) =>
    recordOf(setting).ThrottlingRateLimit !== undefined || recordOf(setting).ThrottlingBurstLimit !== undefined;
  const throttled = stages.some((stage) => Array.isArray(stage.properties.MethodSettings) && stage.properties.MethodSettings.some(isThrottling));
  if (throttled) sentences.push(`${name}: stage throttling limits are not enforced locally`);
  return sentences;
}

/** In CloudFormation, `/` in a binary media type is written `~1`. */
function decodeMediaType(type: string): string {
  return type.replace(/~1/g, '/');
}

function stringProperty(resource: ResolvedResource, key: string): string | undefined {
  const value = resource.properties[key];
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** CloudFormation accepts both `true` and `"true"`. */
function booleanProperty(value: unknown): boolean {
  return value === true || value === 'true';
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(recordOf(value)).map(([key, entry]) => [key, String(entry)]));
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

/** Schema and Policy may be given as a JSON string instead of an object. */
function parseJsonIfString(value: unknown): unknown {
  if (typeof value !== 'string') return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}
