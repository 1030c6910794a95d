import { ACCOUNT, API_ID, apiGatewayMayInvoke, fnArn, rawRequest, startFixture, StartedFixture } from './support';

const AUTHORIZERS_ARN = `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/authorizers/*`;
const METHOD_ARN = (method: string, path: string) => `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/${method}/${path}`;

function policy(effect: 'Allow' | 'Deny', resource: string | string[]) {
  return { Version: '2012-10-17', Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }] };
}

/** Answers by token: allow, deny, Unauthorized, another error, or a response without a policy. */
function tokenAuthorizer(event: { authorizationToken: string; methodArn: string }) {
  switch (event.authorizationToken) {
    case 'Bearer deny': return { principalId: 'user-2', policyDocument: policy('Deny', event.methodArn) };
    case 'Bearer other-method': return { principalId: 'user-3', policyDocument: policy('Allow', METHOD_ARN('POST', 'token')) };
    case 'Bearer unauthorized': throw new Error('Unauthorized');
    case 'Bearer boom': throw new Error('boom');
    case 'Bearer no-policy': return { principalId: 'user-4' };
    case 'Bearer nested-context': return { principalId: 'user-5', policyDocument: policy('Allow', '*'), context: { nested: { a: 1 } } };
    default: return {
      principalId: 'user-1',
      policyDocument: policy('Allow', [`arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/GET/*`]),
      context: { tenant: 't1', level: 3, admin: false },
    };
  }
}

describe('TOKEN authorizer', () => {
  let fixture: StartedFixture;
  const get = (authorization?: string) => fetch(`${fixture.url}token`, { headers: authorization ? { Authorization: authorization } : {} });

  beforeEach(async () => {
    fixture = await startFixture();
    fixture.functions.add('token-authorizer', tokenAuthorizer, apiGatewayMayInvoke(fnArn('token-authorizer'), AUTHORIZERS_ARN));
  });
  afterEach(() => fixture.close());

  test('an allowed token reaches the function, with principalId and context in requestContext.authorizer', async () => {
    const response = await get('Bearer good');
    expect(response.status).toBe(200);
    expect(fixture.functions.eventsFor('token-authorizer')).toEqual([{ type: 'TOKEN', authorizationToken: 'Bearer good', methodArn: METHOD_ARN('GET', 'token') }]);
    expect(fixture.functions.eventsFor('handler')[0].requestContext.authorizer).toEqual({
      principalId: 'user-1', tenant: 't1', level: 3, admin: false, integrationLatency: expect.any(Number),
    });
  });

  test('the authorizer is invoked with the authorizer ARN as source ARN', async () => {
    await get('Bearer good');
    expect(fixture.access.requests.find((request) => request.resource === fnArn('token-authorizer'))?.context)
      .toMatchObject({ 'aws:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/authorizers/auth-token` });
  });

  test.each([
    ['no Authorization header', undefined],
    ['a token failing IdentityValidationExpression', 'Basic abc'],
  ])('%s: 401 Unauthorized without calling the authorizer', async (_label, authorization) => {
    const response = await get(authorization);
    expect(response.status).toBe(401);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnauthorizedException');
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
    expect(fixture.functions.events).toHaveLength(0);
  });

  test('an explicit Deny: 403', async () => {
    const response = await get('Bearer deny');
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await response.json()).toEqual({ Message: 'User is not authorized to access this resource with an explicit deny' });
    expect(fixture.functions.eventsFor('handler')).toHaveLength(0);
  });

  test('a policy that allows another method only: 403', async () => {
    const response = await get('Bearer other-method');
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ Message: 'User is not authorized to access this resource' });
  });

  test('the authorizer failing with "Unauthorized": 401', async () => {
    const response = await get('Bearer unauthorized');
    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ message: 'Unauthorized' });
  });

  test.each([
    ['failing with another error', 'Bearer boom'],
    ['answering without a policy', 'Bearer no-policy'],
    ['answering an object in its context', 'Bearer nested-context'],
  ])('the authorizer %s: 500 AuthorizerConfigurationException', async (_label, token) => {
    const response = await get(token);
    expect(response.status).toBe(500);
    expect(response.headers.get('x-amzn-errortype')).toBe('AuthorizerConfigurationException');
    expect(await response.json()).toEqual({ message: null });
    expect(fixture.logs.join('\n')).toMatch(/authorizer auth-token/);
  });

  test('answers are cached by token for the TTL, and the cached policy is evaluated again', async () => {
    expect((await get('Bearer good')).status).toBe(200);
    expect((await get('Bearer good')).status).toBe(200);
    expect(fixture.functions.eventsFor('token-authorizer')).toHaveLength(1);
    expect(fixture.functions.eventsFor('handler')[1].requestContext.authorizer).toMatchObject({ principalId: 'user-1', integrationLatency: 0 });
    fixture.clock.now += 301_000;
    expect((await get('Bearer good')).status).toBe(200);
    expect(fixture.functions.eventsFor('token-authorizer')).toHaveLength(2);
  });

  test('an authorizer whose policy does not let API Gateway invoke it: 500', async () => {
    fixture.functions.add('token-authorizer', tokenAuthorizer, apiGatewayMayInvoke(fnArn('token-authorizer'), 'arn:aws:execute-api:us-east-1:1:other/*'));
    const response = await get('Bearer good');
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(fixture.logs.join('\n')).toMatch(/Invalid permissions on Lambda function .*token-authorizer/);
    expect(fixture.functions.events).toHaveLength(0);
  });
});

describe('REQUEST authorizer', () => {
  let fixture: StartedFixture;
  beforeAll(async () => {
    fixture = await startFixture();
    fixture.functions.add('request-authorizer', (event) => (event.headers?.['X-Key'] === 'open'
      ? { principalId: 'key-owner', policyDocument: policy('Allow', event.methodArn), context: { key: event.headers['X-Key'] } }
      : { principalId: 'nobody', policyDocument: policy('Deny', '*') }), apiGatewayMayInvoke(fnArn('request-authorizer'), AUTHORIZERS_ARN));
  });
  afterAll(() => fixture.close());

  test('receives the request description and decides', async () => {
    const response = await rawRequest(`${fixture.url}request?tenant=t9`, { headers: { 'X-Key': 'open' } });
    expect(response.status).toBe(200);
    const [event] = fixture.functions.eventsFor('request-authorizer');
    expect(event).toMatchObject({
      type: 'REQUEST',
      methodArn: METHOD_ARN('GET', 'request'),
      resource: '/request',
      path: '/request',
      httpMethod: 'GET',
      headers: { 'X-Key': 'open' },
      multiValueHeaders: { 'X-Key': ['open'] },
      queryStringParameters: { tenant: 't9' },
      pathParameters: null,
      stageVariables: { color: 'blue' },
      requestContext: { apiId: API_ID, stage: 'prod', resourcePath: '/request', httpMethod: 'GET' },
    });
    expect(fixture.functions.eventsFor('handler').slice(-1)[0].requestContext.authorizer).toMatchObject({ principalId: 'key-owner', key: 'open' });
  });

  test('without caching (TTL 0) missing identity sources still reach the authorizer, which denies', async () => {
    const before = fixture.functions.eventsFor('request-authorizer').length;
    const response = await rawRequest(`${fixture.url}request`);
    expect(response.status).toBe(403);
    expect(fixture.functions.eventsFor('request-authorizer')).toHaveLength(before + 1);
  });
});
