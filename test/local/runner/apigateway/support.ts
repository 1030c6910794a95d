import { request as httpRequest } from 'node:http';
/**
 * Fixtures for the local API Gateway tests: resolved template resources shaped like the JITR demo's
 * (RestApi, Resource, Method, Model, RequestValidator, GatewayResponse, Deployment, Stage, Authorizer),
 * a fake Lambda invoker and a fake access control that knows callers by access key id.
 */
import { restApisFromResources, startRestApi } from '../../../../local/runner/apigateway';
import { denialReason } from '../../../../local/runner/iam';
import { AccessControl, AccessDecision, AccessRequest, AuthenticationError, PolicyDocument, Principal, SignedHttpRequest } from '../../../../local/runner/iam/types';
import { InvokeResult, LocalFunctionDefinition, LocalFunctionInvoker } from '../../../../local/runner/lambda/types';
import { ResolvedResource } from '../../../../local/runner/types';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const API_ID = 'a1b2c3d4e5';
export const ROOT_ID = 'root0001';

export const fnArn = (name: string) => `arn:aws:lambda:${REGION}:${ACCOUNT}:function:${name}`;
const invocationUri = (name: string) => `arn:aws:apigateway:${REGION}:lambda:path/2015-03-31/functions/${fnArn(name)}/invocations`;

function resource(
  type: string, logicalId: string, physicalId: string, properties: Record<string, unknown>, attributes: Record<string, string> = {},
): ResolvedResource {
  return { stackName: 'TestStack', logicalId, type, physicalId, attributes, properties };
}

const proxy = (name: string) => ({ Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: invocationUri(name) });

function method(logicalId: string, resourceId: string, httpMethod: string, extra: Record<string, unknown> = {}): ResolvedResource {
  return resource('AWS::ApiGateway::Method', logicalId, `${logicalId}-id`, {
    RestApiId: API_ID, ResourceId: resourceId, HttpMethod: httpMethod, AuthorizationType: 'NONE', Integration: proxy('handler'), ...extra,
  });
}

export const CA_REGISTER_SCHEMA = {
  $schema: 'http://json-schema.org/draft-04/schema#',
  title: 'CaRegisterRequest',
  type: 'object',
  additionalProperties: false,
  properties: {
    keyAlgorithm: { type: 'string', enum: ['RSA-2048', 'ECDSA-P256'] },
    validityDays: { type: 'integer', minimum: 1, maximum: 18250 },
    verifierName: { type: 'string', minLength: 1, maxLength: 128 },
  },
};

export interface FixtureOptions {
  /** Leave out the demo's BAD_REQUEST_BODY gateway response. */
  readonly withoutBadRequestBodyResponse?: boolean;
  readonly policy?: PolicyDocument;
  readonly extra?: ResolvedResource[];
}

/** A REST API like the demo's CA registrator, plus the routes the tests need. */
export function fixtureResources(options: FixtureOptions = {}): ResolvedResource[] {
  const child = (logicalId: string, id: string, parentId: string, pathPart: string) =>
    resource('AWS::ApiGateway::Resource', logicalId, id, { RestApiId: API_ID, ParentId: parentId, PathPart: pathPart });
  return [
    resource('AWS::ApiGateway::RestApi', 'Api', API_ID, {
      Name: 'Api', EndpointConfiguration: { Types: ['REGIONAL'] }, ...(options.policy ? { Policy: options.policy } : {}),
    }, { RootResourceId: ROOT_ID }),
    child('CaRegister', 'res-ca', ROOT_ID, 'caRegister'),
    child('Items', 'res-items', ROOT_ID, 'items'),
    child('ItemsId', 'res-item', 'res-items', '{id}'),
    child('ItemsSpecial', 'res-special', 'res-items', 'special'),
    child('Files', 'res-files', ROOT_ID, 'files'),
    child('FilesProxy', 'res-files-proxy', 'res-files', '{proxy+}'),
    child('Anything', 'res-any', ROOT_ID, 'anything'),
    child('Token', 'res-token', ROOT_ID, 'token'),
    child('Request', 'res-request', ROOT_ID, 'request'),
    child('Cognito', 'res-cognito', ROOT_ID, 'cognito'),
    child('Mock', 'res-mock', ROOT_ID, 'mock'),
    child('Search', 'res-search', ROOT_ID, 'search'),
    child('Locked', 'res-locked', ROOT_ID, 'locked'),
    child('Broken', 'res-broken', ROOT_ID, 'broken'),
    method('CaRegisterPost', 'res-ca', 'POST', {
      AuthorizationType: 'AWS_IAM',
      RequestModels: { 'application/json': 'CaRegisterRequest' },
      RequestValidatorId: 'validator-body',
    }),
    method('RootGet', ROOT_ID, 'GET'),
    method('ItemsGet', 'res-items', 'GET'),
    method('ItemGet', 'res-item', 'GET'),
    method('SpecialGet', 'res-special', 'GET'),
    method('FilesAny', 'res-files-proxy', 'ANY'),
    method('AnythingAny', 'res-any', 'ANY'),
    method('TokenGet', 'res-token', 'GET', { AuthorizationType: 'CUSTOM', AuthorizerId: 'auth-token' }),
    method('RequestGet', 'res-request', 'GET', { AuthorizationType: 'CUSTOM', AuthorizerId: 'auth-request' }),
    method('CognitoGet', 'res-cognito', 'GET', { AuthorizationType: 'COGNITO_USER_POOLS', AuthorizerId: 'auth-cognito' }),
    method('MockGet', 'res-mock', 'GET', { Integration: { Type: 'MOCK' } }),
    method('SearchGet', 'res-search', 'GET', {
      RequestValidatorId: 'validator-params',
      RequestParameters: { 'method.request.header.X-Tenant': true, 'method.request.querystring.q': true, 'method.request.querystring.page': false },
    }),
    method('LockedGet', 'res-locked', 'GET', { Integration: proxy('locked') }),
    method('BrokenGet', 'res-broken', 'GET', { Integration: proxy('broken') }),
    resource('AWS::ApiGateway::Model', 'CaRegisterRequestModel', 'CaRegisterRequest', {
      RestApiId: API_ID, ContentType: 'application/json', Schema: CA_REGISTER_SCHEMA,
    }),
    resource('AWS::ApiGateway::RequestValidator', 'BodyValidator', 'validator-body', {
      RestApiId: API_ID, ValidateRequestBody: true, ValidateRequestParameters: true,
    }),
    resource('AWS::ApiGateway::RequestValidator', 'ParamsValidator', 'validator-params', {
      RestApiId: API_ID, ValidateRequestBody: false, ValidateRequestParameters: true,
    }),
    ...(options.withoutBadRequestBodyResponse ? [] : [resource('AWS::ApiGateway::GatewayResponse', 'BadRequestBody', 'gr-1', {
      RestApiId: API_ID,
      ResponseType: 'BAD_REQUEST_BODY',
      StatusCode: '400',
      ResponseTemplates: { 'application/json': '{"error":{"code":"InvalidBody","message":"$context.error.validationErrorString"}}' },
      ResponseParameters: { 'gatewayresponse.header.X-Request-Id': "'$context.requestId'", 'gatewayresponse.header.Access-Control-Allow-Origin': "'*'" },
    })]),
    resource('AWS::ApiGateway::Authorizer', 'TokenAuthorizer', 'auth-token', {
      RestApiId: API_ID,
      Type: 'TOKEN',
      AuthorizerUri: invocationUri('token-authorizer'),
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: 'Bearer .+',
      AuthorizerResultTtlInSeconds: 300,
    }),
    resource('AWS::ApiGateway::Authorizer', 'RequestAuthorizer', 'auth-request', {
      RestApiId: API_ID,
      Type: 'REQUEST',
      AuthorizerUri: invocationUri('request-authorizer'),
      IdentitySource: 'method.request.header.X-Key, method.request.querystring.tenant',
      AuthorizerResultTtlInSeconds: 0,
    }),
    resource('AWS::ApiGateway::Authorizer', 'CognitoAuthorizer', 'auth-cognito', {
      RestApiId: API_ID, Type: 'COGNITO_USER_POOLS', ProviderARNs: [`arn:aws:cognito-idp:${REGION}:${ACCOUNT}:userpool/${REGION}_abc`],
    }),
    resource('AWS::ApiGateway::Deployment', 'Deployment', 'dep-1', { RestApiId: API_ID }),
    resource('AWS::ApiGateway::Stage', 'StageProd', 'prod', {
      RestApiId: API_ID,
      DeploymentId: 'dep-1',
      StageName: 'prod',
      Variables: { color: 'blue' },
      MethodSettings: [{ HttpMethod: '*', ResourcePath: '/*', ThrottlingBurstLimit: 20, ThrottlingRateLimit: 10 }],
    }),
    ...(options.extra ?? []),
  ];
}

/** The function policy CDK's LambdaIntegration grants: API Gateway, from this API's methods. */
export function apiGatewayMayInvoke(functionArn: string, sourceArn = `arn:aws:execute-api:${REGION}:${ACCOUNT}:${API_ID}/*/*/*`): PolicyDocument {
  return {
    Version: '2012-10-17',
    Statement: [{
      Effect: 'Allow',
      Principal: { Service: 'apigateway.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: functionArn,
      Condition: { ArnLike: { 'aws:SourceArn': sourceArn } },
    }],
  };
}

type Handler = (event: any) => unknown;

/** Functions by name; a handler's return value is the payload, a thrown error an Unhandled function error. */
export class FakeFunctions implements LocalFunctionInvoker {
  readonly events: { readonly functionArn: string; readonly event: any }[] = [];
  private readonly handlers = new Map<string, { definition: LocalFunctionDefinition; handler: Handler }>();

  /** `resourcePolicy: null` leaves the function without one. */
  add(name: string, handler: Handler, resourcePolicy: PolicyDocument | null = apiGatewayMayInvoke(fnArn(name))): this {
    const definition: LocalFunctionDefinition = {
      logicalId: name,
      functionName: name,
      functionArn: fnArn(name),
      codeDirectory: '/nowhere',
      handler: 'index.handler',
      runtime: 'nodejs22.x',
      environment: {},
      role: { arn: `arn:aws:iam::${ACCOUNT}:role/${name}-role`, credentials: { accessKeyId: 'AKIDFN', secretAccessKey: 'secret' } },
      ...(resourcePolicy ? { resourcePolicy } : {}),
    };
    this.handlers.set(name, { definition, handler });
    return this;
  }

  find(functionNameOrArn: string): LocalFunctionDefinition | undefined {
    return [...this.handlers.values()].find(({ definition }) =>
      definition.functionArn === functionNameOrArn || definition.functionName === functionNameOrArn)?.definition;
  }

  async invoke(functionNameOrArn: string, event: unknown): Promise<InvokeResult> {
    const definition = this.find(functionNameOrArn);
    if (!definition) throw new Error(`the fake has no function ${functionNameOrArn}`);
    this.events.push({ functionArn: definition.functionArn, event });
    try {
      const payload = await this.handlers.get(definition.functionName)!.handler(event);
      return { payload: payload === undefined ? null : JSON.parse(JSON.stringify(payload)), logs: [] };
    } catch (error) {
      if (error && typeof error === 'object' && 'lambdaServiceError' in error) throw (error as { lambdaServiceError: Error }).lambdaServiceError;
      const failure = { errorType: (error as Error).name, errorMessage: (error as Error).message };
      return { payload: failure, functionError: 'Unhandled', error: failure, logs: [] };
    }
  }

  eventsFor(name: string): any[] {
    return this.events.filter((entry) => entry.functionArn === fnArn(name)).map((entry) => entry.event);
  }
}

/**
 * Knows callers by the access key id their Authorization header names (no signature check), allows
 * execute-api:Invoke where a test listed the resource for the caller, and evaluates function policies
 * for service principals by Principal.Service, action and an ArnLike aws:SourceArn condition.
 */
export class FakeAccessControl implements AccessControl {
  readonly requests: AccessRequest[] = [];
  readonly callers = new Map<string, Principal>();
  /** Principal ARN -> execute-api resources (wildcards) its identity policy allows. */
  readonly invokeAllowed = new Map<string, string[]>();

  authenticate(request: SignedHttpRequest, service: string): Principal {
    expect(service).toBe('execute-api');
    const authorization = request.headers.authorization;
    if (!authorization) throw new AuthenticationError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    const accessKey = /Credential=([^/]+)\//.exec(String(authorization))?.[1] ?? '';
    const principal = this.callers.get(accessKey);
    if (!principal) throw new AuthenticationError('UnrecognizedClientException', 'The security token included in the request is invalid.');
    return principal;
  }

  authorize(request: AccessRequest): AccessDecision {
    this.requests.push(request);
    if (request.principal.service) return this.serviceAllowed(request);
    if (request.principal.arn === 'anonymous') {
      const denied = statements(request.resourcePolicy).some((statement) => statement.Effect === 'Deny');
      return denied ? { allowed: false, reason: denialReason(request, 'a resource-based policy') } : { allowed: true, reason: 'allowed' };
    }
    const allowed = (this.invokeAllowed.get(request.principal.arn) ?? []).some((pattern) => wildcard(pattern, request.resource));
    return allowed ? { allowed: true, reason: 'allowed by an identity-based policy' } : { allowed: false, reason: denialReason(request) };
  }

  private serviceAllowed(request: AccessRequest): AccessDecision {
    const allowed = statements(request.resourcePolicy).some((statement) => {
      const service = (statement.Principal as Record<string, string> | undefined)?.Service;
      const sourceArn = (statement.Condition?.ArnLike as Record<string, string> | undefined)?.['aws:SourceArn'];
      return statement.Effect === 'Allow' && service === request.principal.service && statement.Action === request.action
        && (sourceArn === undefined || wildcard(sourceArn, String(request.context?.['aws:SourceArn'])));
    });
    return allowed ? { allowed: true, reason: 'allowed by the resource-based policy' } : { allowed: false, reason: denialReason(request) };
  }
}

function statements(policy: PolicyDocument | undefined) {
  return policy ? [policy.Statement].flat() : [];
}

function wildcard(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`).test(value);
}

/** An Authorization header the fake access control reads the access key id from. */
export function signedBy(accessKeyId: string): string {
  return `AWS4-HMAC-SHA256 Credential=${accessKeyId}/20260101/${REGION}/execute-api/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc`;
}

export interface StartedFixture {
  readonly url: string;
  readonly functions: FakeFunctions;
  readonly access: FakeAccessControl;
  readonly logs: string[];
  readonly clock: { now: number };
  close(): Promise<void>;
}

/** Serves the fixture API with a handler that echoes its event; tests add or replace functions. */
export async function startFixture(options: FixtureOptions & { readonly integrationTimeoutMs?: number } = {}): Promise<StartedFixture> {
  const functions = new FakeFunctions().add('handler', (event) => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'X-Echo': 'yes' },
    body: JSON.stringify({ path: event.path }),
  }));
  const access = new FakeAccessControl();
  const logs: string[] = [];
  const clock = { now: 1_700_000_000_000 };
  const [api] = restApisFromResources(fixtureResources(options));
  const server = await startRestApi({
    api,
    functions,
    accessControl: access,
    region: REGION,
    accountId: ACCOUNT,
    log: (line) => logs.push(line),
    now: () => clock.now,
    ...(options.integrationTimeoutMs ? { integrationTimeoutMs: options.integrationTimeoutMs } : {}),
  });
  return { url: server.url, functions, access, logs, clock, close: () => server.close() };
}

/** A request exactly as given (fetch would add a Content-Type to a string body). */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}) {
  return new Promise<{ status: number; headers: Record<string, unknown>; body: string }>((resolve, reject) => {
    const request = httpRequest(url, { method: options.method ?? 'GET', headers: options.headers ?? {} }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}
