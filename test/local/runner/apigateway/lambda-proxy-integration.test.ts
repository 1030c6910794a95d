import { ACCOUNT, API_ID, rawRequest, startFixture, StartedFixture } from './support';
import { LambdaServiceError } from '../../../../local/runner/lambda/types';

describe('Lambda proxy integration', () => {
  let fixture: StartedFixture;
  beforeEach(async () => {
    fixture = await startFixture({ integrationTimeoutMs: 200 });
  });
  afterEach(() => fixture.close());

  const answerWith = (result: unknown) => fixture.functions.add('broken', () => result);

  test('statusCode, headers, multiValueHeaders and a base64 body become the HTTP response', async () => {
    answerWith({
      statusCode: 201,
      headers: { 'Content-Type': 'image/png', 'X-Count': 2 },
      multiValueHeaders: { 'Set-Cookie': ['a=1', 'b=2'] },
      body: Buffer.from([137, 80, 78, 71]).toString('base64'),
      isBase64Encoded: true,
    });
    const response = await fetch(`${fixture.url}broken`);
    expect(response.status).toBe(201);
    expect(response.headers.get('content-type')).toBe('image/png');
    expect(response.headers.get('x-count')).toBe('2');
    expect(response.headers.getSetCookie()).toEqual(['a=1', 'b=2']);
    expect(Buffer.from(await response.arrayBuffer())).toEqual(Buffer.from([137, 80, 78, 71]));
  });

  test('without a content type from the function, API Gateway answers application/json', async () => {
    answerWith({ statusCode: 204 });
    const response = await fetch(`${fixture.url}broken`);
    expect(response.status).toBe(204);
    expect(response.headers.get('content-type')).toBe('application/json');
  });

  test('a function without a permission for API Gateway: 500, and a log line saying so', async () => {
    fixture.functions.add('locked', () => ({ statusCode: 200 }), null);
    const response = await fetch(`${fixture.url}locked`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(fixture.logs.join('\n')).toMatch(/Invalid permissions on Lambda function arn:aws:lambda:us-east-1:\d+:function:locked/);
    expect(fixture.logs.join('\n')).toContain(`arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/GET/locked`);
    expect(fixture.functions.events).toHaveLength(0);
  });

  test('a function error: 502 Internal server error', async () => {
    fixture.functions.add('broken', () => {
      throw new TypeError('undefined is not a function');
    });
    const response = await fetch(`${fixture.url}broken`);
    expect(response.status).toBe(502);
    expect(response.headers.get('x-amzn-errortype')).toBe('InternalServerErrorException');
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(fixture.logs.join('\n')).toContain('TypeError: undefined is not a function');
  });

  test.each([
    ['a string', 'ok'],
    ['no statusCode', { body: 'x' }],
    ['an object body', { statusCode: 200, body: { a: 1 } }],
    ['a header that is an object', { statusCode: 200, headers: { a: { b: 1 } } }],
    ['multiValueHeaders that are not lists', { statusCode: 200, multiValueHeaders: { a: 'b' } }],
  ])('a malformed proxy response (%s): 502', async (_label, result) => {
    answerWith(result);
    const response = await fetch(`${fixture.url}broken`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(fixture.logs.join('\n')).toContain('Malformed Lambda proxy response');
  });

  test.each([
    ['throttled (429)', new LambdaServiceError('TooManyRequestsException', 'Rate exceeded', 429), 500],
    ['any other Lambda service error', new LambdaServiceError('ServiceException', 'down', 500), 502],
  ])('Lambda %s', async (_label, error, status) => {
    fixture.functions.add('broken', () => {
      throw Object.assign(new Error('service'), { lambdaServiceError: error });
    });
    const response = await fetch(`${fixture.url}broken`);
    expect(response.status).toBe(status);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
  });

  test('a function slower than the integration timeout: 504', async () => {
    fixture.functions.add('broken', () => new Promise((resolve) => setTimeout(() => resolve({ statusCode: 200 }), 400)));
    const response = await fetch(`${fixture.url}broken`);
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
    await new Promise((resolve) => setTimeout(resolve, 250));
  });

  test('a body over 10 MB: 413', async () => {
    const response = await rawRequest(`${fixture.url}anything`, { method: 'POST', body: Buffer.alloc(10 * 1024 * 1024 + 1, 97) });
    expect(response.status).toBe(413);
    expect(JSON.parse(response.body)).toEqual({ message: 'Request Too Long' });
    expect(fixture.functions.events).toHaveLength(0);
  });
});

describe('the API resource policy', () => {
  test('applies to anonymous callers of NONE methods', async () => {
    const fixture = await startFixture({
      policy: { Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: 'execute-api:/*' }] },
    });
    try {
      const response = await fetch(`${fixture.url}items`);
      expect(response.status).toBe(403);
      expect(await response.json()).toEqual({
        Message: `User: anonymous is not authorized to perform: execute-api:Invoke on resource: arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/prod/GET/items with an explicit deny`,
      });
      // API Gateway's `execute-api:/...` shorthand reaches IAM expanded to this API's ARN.
      expect(fixture.access.requests[0].resourcePolicy).toEqual({
        Statement: [{ Effect: 'Deny', Principal: '*', Action: 'execute-api:Invoke', Resource: `arn:aws:execute-api:us-east-1:${ACCOUNT}:${API_ID}/*` }],
      });
    } finally {
      await fixture.close();
    }
  });
});
