import { API_ID, CA_REGISTER_SCHEMA, fnArn, fixtureResources, ROOT_ID } from './support';
import { restApisFromResources } from '../../../../local/runner/apigateway';
import { ResolvedResource } from '../../../../local/runner/types';

describe('restApisFromResources', () => {
  const [api] = restApisFromResources(fixtureResources());

  test('one definition per RestApi, with its id, name and root resource', () => {
    expect(restApisFromResources(fixtureResources())).toHaveLength(1);
    expect(api).toMatchObject({ id: API_ID, name: 'Api', rootResourceId: ROOT_ID, logicalId: 'Api', stackName: 'TestStack' });
  });

  test('resource paths follow ParentId up to the root', () => {
    const paths = Object.fromEntries(api.resources.map((resource) => [resource.id, resource.path]));
    expect(paths).toMatchObject({
      [ROOT_ID]: '/', 'res-ca': '/caRegister', 'res-item': '/items/{id}', 'res-files-proxy': '/files/{proxy+}',
    });
  });

  test('a resource whose parent is unknown is left out', () => {
    const orphan: ResolvedResource = {
      stackName: 'TestStack',
      logicalId: 'Orphan',
      type: 'AWS::ApiGateway::Resource',
      physicalId: 'res-orphan',
      attributes: {},
      properties: { RestApiId: API_ID, ParentId: 'nope', PathPart: 'x' },
    };
    const [withOrphan] = restApisFromResources(fixtureResources({ extra: [orphan] }));
    expect(withOrphan.resources.find((resource) => resource.id === 'res-orphan')).toBeUndefined();
  });

  test('the demo method: AWS_IAM, its model, validator and Lambda proxy integration', () => {
    expect(api.methods.find((method) => method.resourcePath === '/caRegister')).toEqual({
      resourceId: 'res-ca',
      resourcePath: '/caRegister',
      httpMethod: 'POST',
      authorizationType: 'AWS_IAM',
      apiKeyRequired: false,
      requestValidatorId: 'validator-body',
      requestModels: { 'application/json': 'CaRegisterRequest' },
      requestParameters: {},
      integration: {
        type: 'AWS_PROXY',
        httpMethod: 'POST',
        uri: `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${fnArn('handler')}/invocations`,
        functionArn: fnArn('handler'),
      },
    });
  });

  test('models, validators, gateway responses, authorizers and stages', () => {
    expect(api.models).toEqual([{ name: 'CaRegisterRequest', contentType: 'application/json', schema: CA_REGISTER_SCHEMA }]);
    expect(api.validators).toContainEqual({ id: 'validator-params', validateRequestBody: false, validateRequestParameters: true });
    expect(api.gatewayResponses[0]).toMatchObject({ responseType: 'BAD_REQUEST_BODY', statusCode: 400 });
    expect(api.authorizers.find((authorizer) => authorizer.id === 'auth-token')).toEqual({
      id: 'auth-token',
      type: 'TOKEN',
      functionArn: fnArn('token-authorizer'),
      identitySource: 'method.request.header.Authorization',
      identityValidationExpression: 'Bearer .+',
      resultTtlSeconds: 300,
    });
    expect(api.authorizers.find((authorizer) => authorizer.id === 'auth-cognito')).toMatchObject({ type: 'COGNITO_USER_POOLS' });
    expect(api.stages).toEqual([{ name: 'prod', variables: { color: 'blue' } }]);
    expect(api.methods.find((method) => method.resourcePath === '/search')?.requestParameters)
      .toEqual({ 'method.request.header.X-Tenant': true, 'method.request.querystring.q': true, 'method.request.querystring.page': false });
  });

  test('a Deployment StageName is a stage too; the authorizer TTL defaults to 300 seconds', () => {
    const resources = fixtureResources().filter((resource) => resource.type !== 'AWS::ApiGateway::Stage').map((resource) => {
      if (resource.type === 'AWS::ApiGateway::Deployment') return { ...resource, properties: { ...resource.properties, StageName: 'dev' } };
      if (resource.physicalId === 'auth-token') {
        const { AuthorizerResultTtlInSeconds: _ttl, ...properties } = resource.properties;
        return { ...resource, properties };
      }
      return resource;
    });
    const [fromDeployment] = restApisFromResources(resources);
    expect(fromDeployment.stages).toEqual([{ name: 'dev', variables: {} }]);
    expect(fromDeployment.authorizers.find((authorizer) => authorizer.id === 'auth-token')?.resultTtlSeconds).toBe(300);
  });

  test('the resource policy, given as an object or a JSON string', () => {
    const policy = { Version: '2012-10-17', Statement: [{ Effect: 'Allow' as const, Principal: '*' as const, Action: 'execute-api:Invoke', Resource: '*' }] };
    expect(restApisFromResources(fixtureResources({ policy }))[0].policy).toEqual(policy);
    const asString = fixtureResources().map((resource) => (resource.type === 'AWS::ApiGateway::RestApi'
      ? { ...resource, properties: { ...resource.properties, Policy: JSON.stringify(policy) } } : resource));
    expect(restApisFromResources(asString)[0].policy).toEqual(policy);
  });

  test('what cannot run locally is listed in plain sentences and marked on the method', () => {
    expect(api.unsupported).toEqual([
      'TestStack/Api: stage throttling limits are not enforced locally',
      'TestStack/Api: GET /cognito uses a Cognito user pool authorizer, which the local API Gateway does not verify',
      'TestStack/Api: GET /mock has an integration of type MOCK; only Lambda proxy (AWS_PROXY) integrations run locally',
    ]);
    expect(api.methods.find((method) => method.resourcePath === '/mock')?.unsupported).toMatch(/of type MOCK/);
    expect(api.methods.find((method) => method.resourcePath === '/caRegister')?.unsupported).toBeUndefined();
  });

  test('API keys and non-Lambda AWS integrations are unsupported too', () => {
    const [withKeys] = restApisFromResources(fixtureResources().map((resource) => {
      if (resource.logicalId === 'ItemsGet') return { ...resource, properties: { ...resource.properties, ApiKeyRequired: true } };
      if (resource.logicalId === 'ItemGet') {
        return { ...resource, properties: { ...resource.properties, Integration: { Type: 'AWS', Uri: 'arn:aws:apigateway:us-east-1:sqs:path/1/q' } } };
      }
      return resource;
    }));
    expect(withKeys.unsupported).toContain('TestStack/Api: GET /items requires an API key; API keys and usage plans are not checked locally');
    expect(withKeys.unsupported).toContain('TestStack/Api: GET /items/{id} has an integration of type AWS; only Lambda proxy (AWS_PROXY) integrations run locally');
  });

  test('children of another API are not mixed in', () => {
    const other = fixtureResources().map((resource) => ({
      ...resource,
      physicalId: resource.type === 'AWS::ApiGateway::RestApi' ? 'other' : resource.physicalId,
      properties: resource.type === 'AWS::ApiGateway::RestApi' ? resource.properties : { ...resource.properties, RestApiId: 'other' },
    }));
    const apis = restApisFromResources([...fixtureResources(), ...other]);
    expect(apis.map((definition) => definition.methods.length)).toEqual([api.methods.length, api.methods.length]);
  });
});
