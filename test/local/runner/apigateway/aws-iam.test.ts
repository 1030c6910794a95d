import { ACCOUNT, API_ID, signedBy, startFixture, StartedFixture } from './support';

const ADMIN = { arn: `arn:aws:iam::${ACCOUNT}:user/admin`, accountId: ACCOUNT };
const READER = { arn: `arn:aws:sts::${ACCOUNT}:assumed-role/Reader/session-1`, accountId: ACCOUNT };
const VALID_BODY = JSON.stringify({ keyAlgorithm: 'RSA-2048', validityDays: 365, verifierName: 'v1' });

describe('AWS_IAM methods', () => {
  let fixture: StartedFixture;
  const post = (init: { authorization?: string; body?: string; contentType?: string } = {}) => fetch(`${fixture.url}caRegister?x=1&x=2&y=3`, {
    method: 'POST',
    headers: {
      ...(init.authorization ? { Authorization: init.authorization } : {}),
      'Content-Type': init.contentType ?? 'application/json',
      'X-Multi': 'a',
    },
    body: init.body ?? VALID_BODY,
  });

  beforeEach(async () => {
    fixture = await startFixture();
    fixture.access.callers.set('AKIDADMIN', ADMIN);
    fixture.access.callers.set('AKIDREADER', READER);
    fixture.access.invokeAllowed.set(ADMIN.arn, [`arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/*/POST/caRegister`]);
  });
  afterEach(() => fixture.close());

  test('an unsigned request: 403 with the authentication error and its code', async () => {
    const response = await post();
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(fixture.functions.events).toHaveLength(0);
  });

  test('an unknown access key: 403 UnrecognizedClientException', async () => {
    const response = await post({ authorization: signedBy('AKIDNOBODY') });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnrecognizedClientException');
    expect(await response.json()).toEqual({ message: 'The security token included in the request is invalid.' });
  });

  test('a known caller without execute-api:Invoke: 403 AccessDeniedException naming the method ARN', async () => {
    const response = await post({ authorization: signedBy('AKIDREADER') });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('AccessDeniedException');
    expect(await response.json()).toEqual({
      Message: `User: ${READER.arn} is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/POST/caRegister`,
    });
    expect(fixture.functions.events).toHaveLength(0);
  });

  test('an allowed caller reaches the function with its identity, and the request in the proxy event', async () => {
    const response = await post({ authorization: signedBy('AKIDADMIN') });
    expect(response.status).toBe(200);
    const [event] = fixture.functions.eventsFor('handler');
    expect(event).toMatchObject({
      resource: '/caRegister',
      path: '/caRegister',
      httpMethod: 'POST',
      queryStringParameters: { x: '2', y: '3' },
      multiValueQueryStringParameters: { x: ['1', '2'], y: ['3'] },
      pathParameters: null,
      stageVariables: { color: 'blue' },
      body: VALID_BODY,
      isBase64Encoded: false,
      requestContext: {
        accountId: ACCOUNT,
        apiId: API_ID,
        stage: 'prod',
        resourceId: 'res-ca',
        resourcePath: '/caRegister',
        httpMethod: 'POST',
        path: '/prod/caRegister',
        protocol: 'HTTP/1.1',
        identity: {
          userArn: ADMIN.arn, accountId: ACCOUNT, accessKey: 'AKIDADMIN', caller: 'admin', user: 'admin', sourceIp: '127.0.0.1', userAgent: 'node',
        },
      },
    });
    expect(Object.keys(event.headers)).toContain('X-Multi'); // the casing the client sent
    expect(event.headers['X-Multi']).toBe('a');
    expect(event.multiValueHeaders['X-Multi']).toEqual(['a']);
    expect(event.requestContext.requestId).toBe(response.headers.get('x-amzn-requestid'));
    expect(event.requestContext.requestTimeEpoch).toEqual(expect.any(Number));
    expect(event.requestContext.authorizer).toBeUndefined();
    // The identity policy was asked about the method ARN, with the API's resource policy (none here).
    expect(fixture.access.requests[0]).toMatchObject({
      principal: ADMIN, action: 'execute-api:Invoke', resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/POST/caRegister`,
    });
  });

  test('before invoking, the function policy must let API Gateway invoke it from this method ARN', async () => {
    await post({ authorization: signedBy('AKIDADMIN') });
    const lambdaCheck = fixture.access.requests.find((request) => request.action === 'lambda:InvokeFunction');
    expect(lambdaCheck).toMatchObject({
      principal: { arn: 'apigateway.amazonaws.com', accountId: ACCOUNT, service: 'apigateway.amazonaws.com' },
      resource: expect.stringContaining(':function:handler'),
      context: { 'aws:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/POST/caRegister` },
    });
    expect(lambdaCheck?.resourcePolicy).toBeDefined();
  });

  test('an assumed-role caller is named RoleName:session in caller and user', async () => {
    fixture.access.invokeAllowed.set(READER.arn, ['*']);
    await post({ authorization: signedBy('AKIDREADER') });
    expect(fixture.functions.eventsFor('handler')[0].requestContext.identity).toMatchObject({ caller: 'Reader:session-1', userArn: READER.arn });
  });

  test('a binary body reaches the function base64-encoded', async () => {
    fixture.access.invokeAllowed.set(READER.arn, ['*']);
    const bytes = Buffer.from([0, 1, 2, 255]);
    await fetch(`${fixture.url}files/blob.bin`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: bytes });
    const [event] = fixture.functions.eventsFor('handler');
    expect(event).toMatchObject({ isBase64Encoded: true, body: bytes.toString('base64'), pathParameters: { proxy: 'blob.bin' } });
  });
});
