import { createServer, IncomingMessage, Server, ServerResponse } from 'node:http';
import { AddressInfo } from 'node:net';
import { ACTIVATOR_ENV, ActivatorHandler, captureLogs, loadActivator, registeredEvent, sqsEvent, sqsRecord, TestCa } from './support';

/**
 * Throttling is absorbed by the SDK's retry strategy, configured on the activator's IoT client
 * (IOT_MAX_THROTTLED_ATTEMPTS). aws-sdk-client-mock replaces Client#send, and with it the middleware
 * stack the retries live in, so it cannot show this. Here the real IoTClient talks to a local
 * HTTP endpoint (AWS_ENDPOINT_URL_IOT) that answers like AWS IoT's REST API, including
 * `429 x-amzn-errortype: ThrottlingException`, which the SDK turns into a ThrottlingException.
 */

interface SeenRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
}

const MAX_ATTEMPTS = 3;
const seen: SeenRequest[] = [];
let throttleCreateThing = 0;
let certificateStatus = 'PENDING_ACTIVATION';
let server: Server;
let handler: ActivatorHandler;
let ca: TestCa;
let logs: ReturnType<typeof captureLogs>;

function reply(response: ServerResponse, status: number, body: unknown, errorType?: string): void {
  const headers: Record<string, string> = { 'content-type': 'application/json', 'x-amzn-requestid': `req-${seen.length}` };
  if (errorType) headers['x-amzn-errortype'] = errorType;
  response.writeHead(status, headers);
  response.end(JSON.stringify(body));
}

/** Just the routes the activator calls (paths as the SDK's restJson1 serializer builds them). */
function route(request: SeenRequest, response: ServerResponse, device: { certificateId: string; certificatePem: string }): void {
  const { method, path } = request;
  const caArn = `arn:aws:iot:eu-west-1:123456789012:cacert/${ca.id}`;
  const certificateArn = `arn:aws:iot:eu-west-1:123456789012:cert/${device.certificateId}`;
  if (method === 'GET' && path === `/cacertificate/${ca.id}`) {
    return reply(response, 200, { certificateDescription: { certificateId: ca.id, certificateArn: caArn, status: 'ACTIVE' } });
  }
  if (method === 'GET' && path === '/tags' && request.query.get('resourceArn') === caArn) {
    return reply(response, 200, { tags: [{ Key: 'cdk-iot-security:registrar', Value: ACTIVATOR_ENV.REGISTRAR_ID }] });
  }
  if (method === 'GET' && path === `/certificates/${device.certificateId}`) {
    return reply(response, 200, {
      certificateDescription: {
        certificateId: device.certificateId, certificateArn, certificatePem: device.certificatePem, caCertificateId: ca.id, status: certificateStatus,
      },
    });
  }
  if (method === 'POST' && path === '/things/sensor-throttled') {
    if (throttleCreateThing > 0) {
      throttleCreateThing--;
      return reply(response, 429, { message: 'Rate exceeded' }, 'ThrottlingException');
    }
    return reply(response, 200, { thingName: 'sensor-throttled', thingArn: 'arn:aws:iot:eu-west-1:123456789012:thing/sensor-throttled', thingId: 't-1' });
  }
  if (method === 'GET' && path === '/things/sensor-throttled/principals') return reply(response, 200, { principals: [] });
  if (method === 'PUT' && path.startsWith('/target-policies/')) return reply(response, 200, {});
  if (method === 'PUT' && path === '/things/sensor-throttled/principals') return reply(response, 200, {});
  if (method === 'PUT' && path === `/certificates/${device.certificateId}`) {
    certificateStatus = request.query.get('newStatus') ?? certificateStatus;
    return reply(response, 200, {});
  }
  return reply(response, 404, { message: `no route for ${method} ${path}` }, 'ResourceNotFoundException');
}

let device: { certificateId: string; certificatePem: string; caId: string };

beforeAll(async () => {
  ca = await TestCa.create('Throttling CA');
  device = await ca.device({ commonName: 'sensor-throttled' });
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => { body += chunk.toString('utf8'); });
    request.on('end', () => {
      const url = new URL(request.url ?? '/', 'http://localhost');
      const seenRequest = { method: request.method ?? '', path: decodeURIComponent(url.pathname), query: url.searchParams, headers: request.headers, body };
      seen.push(seenRequest);
      route(seenRequest, response, device);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  handler = loadActivator({
    IOT_MAX_ATTEMPTS: String(MAX_ATTEMPTS),
    IOT_MAX_THROTTLED_ATTEMPTS: String(MAX_ATTEMPTS),
    AWS_ENDPOINT_URL_IOT: `http://127.0.0.1:${port}`,
    // Static dummy credentials: the SDK signs every request, and must not go looking for real ones.
    AWS_ACCESS_KEY_ID: 'AKIDLOCALTESTONLY',
    AWS_SECRET_ACCESS_KEY: 'local-test-secret-not-a-real-key',
  });
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  seen.length = 0;
  certificateStatus = 'PENDING_ACTIVATION';
  logs = captureLogs();
});

afterEach(() => logs.restore());

const createThingAttempts = () => seen.filter((request) => request.method === 'POST' && request.path === '/things/sensor-throttled');

describe('device activator under AWS IoT throttling (real IoTClient, local endpoint)', () => {
  test('CreateThing throttled twice: the SDK retries with back-off and the device is activated, no failure', async () => {
    throttleCreateThing = 2;

    const result = await handler(sqsEvent(sqsRecord(registeredEvent(device), 'throttled-ok')));

    expect(result).toEqual({ batchItemFailures: [] });
    const attempts = createThingAttempts();
    expect(attempts).toHaveLength(3);
    // Signed like any request (dummy credentials), and retried by the SDK, not by a loop of ours:
    // the activator made one CreateThing call.
    expect(attempts[0].headers.authorization).toMatch(/^AWS4-HMAC-SHA256 Credential=AKIDLOCALTESTONLY\/\d{8}\/eu-west-1\/iot\/aws4_request/);
    expect(certificateStatus).toBe('ACTIVE');
    // The whole activation, on the wire, in order; ACTIVE last.
    expect(seen.map((request) => `${request.method} ${request.path}`)).toEqual([
      `GET /cacertificate/${ca.id}`,
      'GET /tags',
      `GET /certificates/${device.certificateId}`,
      'POST /things/sensor-throttled',
      'POST /things/sensor-throttled',
      'POST /things/sensor-throttled',
      'GET /things/sensor-throttled/principals',
      `PUT /target-policies/${ACTIVATOR_ENV.DEVICE_POLICY_NAME}`,
      'PUT /things/sensor-throttled/principals',
      `PUT /certificates/${device.certificateId}`,
    ]);
    const attachPolicy = seen.find((request) => request.path.startsWith('/target-policies/'))!;
    expect(JSON.parse(attachPolicy.body)).toEqual({ target: `arn:aws:iot:eu-west-1:123456789012:cert/${device.certificateId}` });
    const attachThing = seen.find((request) => request.method === 'PUT' && request.path === '/things/sensor-throttled/principals')!;
    expect(attachThing.headers['x-amzn-principal']).toBe(`arn:aws:iot:eu-west-1:123456789012:cert/${device.certificateId}`);
    expect(attachThing.query.get('thingPrincipalType')).toBe('EXCLUSIVE_THING');
    expect(seen.at(-1)!.query.get('newStatus')).toBe('ACTIVE');
  });

  test(`throttled on all ${MAX_ATTEMPTS} attempts: the record is reported for SQS to retry later, nothing activated`, async () => {
    throttleCreateThing = MAX_ATTEMPTS;

    // The fake puts the certificate back to PENDING_ACTIVATION, as deleting and registering it again would; AWS IoT
    // announces such a registration with a new timestamp (the instance settled the first one in the test above).
    const reRegistered = { ...registeredEvent(device), certificateRegistrationTimestamp: '1760000009999' };
    const result = await handler(sqsEvent(sqsRecord(reRegistered, 'throttled-out')));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'throttled-out' }] });
    // IOT_MAX_THROTTLED_ATTEMPTS is honoured: 3 attempts, not createIotClient's default of 25 for a throttled call.
    expect(createThingAttempts()).toHaveLength(MAX_ATTEMPTS);
    expect(certificateStatus).toBe('PENDING_ACTIVATION');
    expect(seen.some((request) => request.method === 'PUT')).toBe(false);
    expect(logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', errorName: 'ThrottlingException', messageId: 'throttled-out' }));
  });
});
