import { ACCOUNT, rawRequest, signedBy, startFixture, StartedFixture } from './support';

const ADMIN = { arn: `arn:aws:iam::${ACCOUNT}:user/admin`, accountId: ACCOUNT };

async function startWithAdmin(options: { withoutBadRequestBodyResponse?: boolean } = {}): Promise<StartedFixture> {
  const fixture = await startFixture(options);
  fixture.access.callers.set('AKIDADMIN', ADMIN);
  fixture.access.invokeAllowed.set(ADMIN.arn, ['*']);
  return fixture;
}

const register = (fixture: StartedFixture, body: string, contentType?: string) => fetch(`${fixture.url}caRegister`, {
  method: 'POST',
  headers: { Authorization: signedBy('AKIDADMIN'), ...(contentType ? { 'Content-Type': contentType } : {}) },
  body,
});

describe('request body validation against the model', () => {
  let fixture: StartedFixture;
  beforeAll(async () => {
    fixture = await startWithAdmin();
  });
  afterAll(() => fixture.close());

  test('a body that fits the model reaches the function', async () => {
    const response = await register(fixture, JSON.stringify({ keyAlgorithm: 'ECDSA-P256' }), 'application/json; charset=utf-8');
    expect(response.status).toBe(200);
  });

  test('a body that does not fit answers the API\'s BAD_REQUEST_BODY gateway response, with its headers', async () => {
    const before = fixture.functions.events.length;
    const response = await register(fixture, JSON.stringify({ keyAlgorithm: 'DSA', validityDays: 0, extra: true }), 'application/json');
    expect(response.status).toBe(400);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    // A literal header value is not a template: API Gateway sends it as written.
    expect(response.headers.get('x-request-id')).toBe('$context.requestId');
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    const body = await response.json();
    expect(body.error.code).toBe('InvalidBody');
    expect(body.error.message).toMatch(/^\[.*\]$/);
    expect(body.error.message).toContain('object instance has properties which are not allowed by the schema: ["extra"]');
    expect(body.error.message).toContain('instance value ("DSA") not found in enum (possible values: ["RSA-2048","ECDSA-P256"]) at "/keyAlgorithm"');
    expect(body.error.message).toContain('numeric instance is lower than the required minimum (minimum: 1, found: 0) at "/validityDays"');
    expect(fixture.functions.events).toHaveLength(before);
  });

  test('a request without Content-Type is validated as application/json', async () => {
    const response = await rawRequest(`${fixture.url}caRegister`, {
      method: 'POST', headers: { Authorization: signedBy('AKIDADMIN') }, body: JSON.stringify({ validityDays: 'long' }),
    });
    expect(response.status).toBe(400);
    expect(JSON.parse(response.body).error.message).toContain('instance type (string) does not match any allowed primitive type (allowed: ["integer"])');
  });

  test('a body that is not JSON is an invalid body', async () => {
    const response = await register(fixture, '{not json', 'application/json');
    expect(response.status).toBe(400);
    expect((await response.json()).error.message).toMatch(/^\[Invalid input: /);
  });

  test('a content type without a model is not validated', async () => {
    const response = await register(fixture, 'anything', 'text/plain');
    expect(response.status).toBe(200);
  });
});

describe('the default BAD_REQUEST_BODY answer', () => {
  test('without a gateway response for it, API Gateway answers {"message": "Invalid request body"}', async () => {
    const fixture = await startWithAdmin({ withoutBadRequestBodyResponse: true });
    try {
      const response = await register(fixture, JSON.stringify({ keyAlgorithm: 'DSA' }), 'application/json');
      expect(response.status).toBe(400);
      expect(await response.json()).toEqual({ message: 'Invalid request body' });
    } finally {
      await fixture.close();
    }
  });
});

describe('required request parameters', () => {
  let fixture: StartedFixture;
  beforeAll(async () => {
    fixture = await startFixture();
  });
  afterAll(() => fixture.close());

  test('missing required header and query string parameters are all named', async () => {
    const response = await fetch(`${fixture.url}search?page=2`);
    expect(response.status).toBe(400);
    expect(response.headers.get('x-amzn-errortype')).toBe('BadRequestException');
    expect(await response.json()).toEqual({ message: 'Missing required request parameters: [X-Tenant, q]' });
  });

  test('with them (header matched case-insensitively), the request goes through', async () => {
    const response = await fetch(`${fixture.url}search?q=iot`, { headers: { 'x-tenant': 't1' } });
    expect(response.status).toBe(200);
  });
});
