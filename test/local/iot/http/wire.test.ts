import { connect } from 'node:net';
import { GetRegistrationCodeCommand, IoTClient, ThrottlingException, ListThingsCommand } from '@aws-sdk/client-iot';
import { startTestCloud, type TestCloud } from './harness';

describe('endpoint configuration', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(() => cloud.close());

  test('a client configured only by AWS_ENDPOINT_URL_IOT reaches the control plane', async () => {
    const saved = process.env.AWS_ENDPOINT_URL_IOT;
    process.env.AWS_ENDPOINT_URL_IOT = cloud.url;
    const client = new IoTClient({ region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' } });
    try {
      const { registrationCode } = await client.send(new GetRegistrationCodeCommand({}));
      expect(registrationCode).toBe((await cloud.model.getRegistrationCode()).registrationCode);
    } finally {
      client.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_IOT;
      else process.env.AWS_ENDPOINT_URL_IOT = saved;
    }
  });
});

describe('rate limits', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    // AWS's defaults, except a low limit on GetRegistrationCode to keep the retry test short.
    cloud = await startTestCloud({ rateLimits: { GetRegistrationCode: 3 } });
  });
  afterAll(() => cloud.close());

  async function burst(client: IoTClient, command: () => GetRegistrationCodeCommand | ListThingsCommand, count: number) {
    const results = await Promise.allSettled(Array.from({ length: count }, () => client.send(command() as GetRegistrationCodeCommand)));
    const rejected = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected').map(r => r.reason);
    return { fulfilled: count - rejected.length, rejected };
  }

  test('a burst over the default limit (ListThings, 10 TPS) gets ThrottlingException when retries are off', async () => {
    const { fulfilled, rejected } = await burst(cloud.noRetryClient, () => new ListThingsCommand({}), 15);
    expect(fulfilled).toBeGreaterThanOrEqual(10);
    expect(rejected.length).toBeGreaterThanOrEqual(3);
    for (const error of rejected) {
      expect(error).toBeInstanceOf(ThrottlingException);
      expect(error.$metadata.httpStatusCode).toBe(400);
    }
  });

  test('with the SDK retrying (standard strategy), every call of a burst eventually succeeds', async () => {
    await new Promise(resolve => setTimeout(resolve, 1100)); // a full bucket
    const retrying = new IoTClient({ endpoint: cloud.url, region: 'us-east-1', credentials: { accessKeyId: 'x', secretAccessKey: 'y' }, maxAttempts: 10 });
    try {
      const { fulfilled, rejected } = await burst(retrying, () => new GetRegistrationCodeCommand({}), 8);
      expect(rejected).toEqual([]);
      expect(fulfilled).toBe(8);
    } finally {
      retrying.destroy();
    }
  });

  test('the same burst without retries is throttled at the configured limit', async () => {
    await new Promise(resolve => setTimeout(resolve, 1100));
    const { fulfilled, rejected } = await burst(cloud.noRetryClient, () => new GetRegistrationCodeCommand({}), 8);
    expect(fulfilled).toBeLessThanOrEqual(4);
    expect(rejected.every(error => error instanceof ThrottlingException)).toBe(true);
  });
});

describe('malformed requests', () => {
  let cloud: TestCloud;
  beforeAll(async () => {
    cloud = await startTestCloud();
  });
  afterAll(() => cloud.close());

  async function raw(method: string, path: string, body?: string): Promise<{ status: number; errorType: string | null; json: any }> {
    const response = await fetch(`${cloud.url}${path}`, { method, body, headers: body === undefined ? {} : { 'content-type': 'application/json' } });
    const text = await response.text();
    return { status: response.status, errorType: response.headers.get('x-amzn-errortype'), json: text ? JSON.parse(text) : undefined };
  }

  test('garbage JSON and non-object JSON bodies: 400 InvalidRequestException with a message', async () => {
    for (const body of ['{"caCertificate": ', '[1, 2, 3]', '"text"']) {
      const response = await raw('POST', '/cacertificate', body);
      expect(response).toMatchObject({ status: 400, errorType: 'InvalidRequestException' });
      expect(typeof response.json.message).toBe('string');
    }
  });

  test('unknown path: 404; known path with another method: 405', async () => {
    expect(await raw('GET', '/no/such/operation')).toMatchObject({ status: 404, errorType: 'UnknownOperationException' });
    expect(await raw('DELETE', '/registrationcode')).toMatchObject({ status: 405 });
  });

  test('bad query values and undecodable labels: 4xx', async () => {
    expect(await raw('POST', '/keys-and-certificate?setAsActive=maybe')).toMatchObject({ status: 400, errorType: 'InvalidRequestException' });
    expect(await raw('GET', '/things?maxResults=lots')).toMatchObject({ status: 400 });
    expect((await raw('GET', '/things/%E0%A4%A')).status).toBeGreaterThanOrEqual(400);
    expect(await raw('GET', '/things?maxResults=0')).toMatchObject({ status: 400, errorType: 'InvalidRequestException' });
  });

  test('a body over 1 MiB: 413', async () => {
    expect((await raw('POST', '/policies/big', JSON.stringify({ policyDocument: 'x'.repeat(1024 * 1024 + 10) }))).status).toBe(413);
  });

  test('bytes that are not HTTP get 400 and the server keeps serving', async () => {
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(new URL(cloud.url).port), '127.0.0.1', () => socket.write('HELLO THERE\r\n\r\n'));
      let data = '';
      socket.on('data', chunk => { data += chunk.toString(); });
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    const { registrationCode } = await cloud.client.send(new GetRegistrationCodeCommand({}));
    expect(registrationCode).toMatch(/^[0-9a-f]{64}$/);
  });

  test('successful responses are JSON with timestamps in epoch seconds', async () => {
    await raw('POST', '/policies/p1', JSON.stringify({ policyDocument: '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}' }));
    const got = await raw('GET', '/policies/p1');
    expect(got.status).toBe(200);
    expect(typeof got.json.creationDate).toBe('number');
    expect(Math.abs(got.json.creationDate - Date.now() / 1000)).toBeLessThan(60);
  });
});
