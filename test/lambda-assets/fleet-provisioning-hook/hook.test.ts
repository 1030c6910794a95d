import { LambdaClient } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { captureLogs, CLAIM_CERTIFICATE_ID, lambdaContext, expectNoKeyMaterial, FleetCertificate, fleetCertificate, hookEvent, HookHandler, loadHook, TEMPLATE_ARN } from './support';

/** The hook without a verifier: the template names the thing by SerialNumber and declares Model without a Default. */
const lambda = mockClient(LambdaClient);
let handler: HookHandler;
let device: FleetCertificate;
let logs: ReturnType<typeof captureLogs>;

beforeAll(async () => {
  handler = loadHook({ THING_NAME_PARAMETER: 'SerialNumber', REQUIRED_PARAMETERS: JSON.stringify(['SerialNumber', 'Model']), VERIFIER_ARN: '' });
  device = await fleetCertificate();
});
afterAll(() => lambda.restore());
beforeEach(() => {
  lambda.reset();
  logs = captureLogs();
});
afterEach(() => {
  expectNoKeyMaterial(logs.lines());
  logs.restore();
});

function onlyLogLine(): Record<string, unknown> {
  const lines = logs.lines();
  expect(lines).toHaveLength(1);
  return lines[0];
}

describe('valid parameters, no verifier', () => {
  test('allowed, with no overrides; one INFO line names the certificates, the template and the thing', async () => {
    const answer = await handler(hookEvent(device, { SerialNumber: 'acme-0042', Model: 'X1' }), lambdaContext());

    expect(answer).toEqual({ allowProvisioning: true, parameterOverrides: {} });
    expect(lambda.calls()).toHaveLength(0);
    expect(onlyLogLine()).toMatchObject({
      level: 'INFO',
      message: 'provisioning allowed',
      function: 'fleet-provisioning-hook',
      requestId: 'req-1',
      certificateId: device.certificateId,
      claimCertificateId: CLAIM_CERTIFICATE_ID,
      templateArn: TEMPLATE_ARN,
      clientId: 'factory-line-7',
      thingName: 'acme-0042',
      overriddenParameters: [],
    });
  });

  test.each([
    ['a thing name of 128 characters', { SerialNumber: 'T'.repeat(128), Model: 'X1' }],
    ['every character a thing name may hold', { SerialNumber: 'aZ09:_-', Model: 'X1' }],
    ['parameters the template does not require', { SerialNumber: 'acme-0042', Model: 'X1', Region: 'eu', Empty: '' }],
  ])('allowed: %s', async (_name, parameters) => {
    await expect(handler(hookEvent(device, parameters))).resolves.toEqual({ allowProvisioning: true, parameterOverrides: {} });
  });
});

describe('bad parameters are denied, never thrown', () => {
  test.each<[string, unknown, RegExp]>([
    ['no parameters at all', undefined, /'SerialNumber' is required/],
    ['an empty map', {}, /'SerialNumber' is required/],
    ['a required parameter missing', { SerialNumber: 'acme-0042' }, /'Model' is required \(the template gives it no Default\)/],
    ['a required parameter empty', { SerialNumber: 'acme-0042', Model: '' }, /'Model' is required/],
    ['a required parameter of blanks', { SerialNumber: 'acme-0042', Model: '   ' }, /'Model' is required/],
    ['a thing name with a space', { SerialNumber: 'acme 0042', Model: 'X1' }, /'SerialNumber' names the thing, so it must be 1-128 characters of \[a-zA-Z0-9:_-\] \(9 characters given\)/],
    ['a thing name of 129 characters', { SerialNumber: 'T'.repeat(129), Model: 'X1' }, /'SerialNumber' names the thing/],
    ['a thing name with a slash', { SerialNumber: 'acme/0042', Model: 'X1' }, /'SerialNumber' names the thing/],
    ['a thing name with a non-ASCII letter', { SerialNumber: 'gerät-1', Model: 'X1' }, /'SerialNumber' names the thing/],
    ['a thing name with a dot', { SerialNumber: 'acme.0042', Model: 'X1' }, /'SerialNumber' names the thing/],
  ])('%s', async (_name, parameters, reason) => {
    const answer = await handler(hookEvent(device, parameters), lambdaContext());

    expect(answer).toEqual({ allowProvisioning: false });
    const line = onlyLogLine();
    expect(line).toMatchObject({ level: 'WARN', message: 'provisioning denied', certificateId: device.certificateId, templateArn: TEMPLATE_ARN });
    expect(line.reason).toMatch(/^parameters: /);
    expect(line.reason).toMatch(reason);
  });

  test('the device\'s bad values are not echoed in the log', async () => {
    await handler(hookEvent(device, { SerialNumber: 'evil value <script>', Model: 'X1' }));
    expect(JSON.stringify(logs.lines())).not.toContain('evil value');
  });

  test.each<[string, unknown, RegExp]>([
    ['parameters as an array', ['SerialNumber'], /parameters must be an object of strings/],
    ['parameters null', null, /parameters must be an object of strings/],
    ['parameters as a string', 'SerialNumber=acme', /parameters must be an object of strings/],
    ['a numeric parameter', { SerialNumber: 42, Model: 'X1' }, /parameters must be an object of strings: 'SerialNumber' is number/],
    ['a null parameter', { SerialNumber: 'acme-0042', Model: null }, /'Model' is null/],
    ['a nested parameter', { SerialNumber: 'acme-0042', Model: { name: 'X1' } }, /'Model' is object/],
  ])('%s: a malformed event', async (_name, parameters, reason) => {
    await expect(handler(hookEvent(device, parameters))).resolves.toEqual({ allowProvisioning: false });
    const line = onlyLogLine();
    expect(line).toMatchObject({ level: 'WARN', message: 'provisioning denied' });
    expect(line.reason).toMatch(/^malformed hook event: /);
    expect(line.reason).toMatch(reason);
  });
});

describe('malformed events are denied, never thrown', () => {
  const VALID = { SerialNumber: 'acme-0042', Model: 'X1' };

  test.each<[string, (event: Record<string, unknown>) => unknown, RegExp]>([
    ['null', () => null, /the event is not an object/],
    ['a string', () => 'RegisterThing', /the event is not an object/],
    ['an array', (event) => [event], /the event is not an object/],
    ['no certificateId', ({ certificateId: _, ...rest }) => rest, /certificateId must be an AWS IoT certificate id/],
    ['an uppercase certificateId', (event) => ({ ...event, certificateId: String(event.certificateId).toUpperCase() }), /certificateId must be/],
    ['a short claimCertificateId', (event) => ({ ...event, claimCertificateId: 'c1c1' }), /claimCertificateId must be an AWS IoT certificate id/],
    ['no certificatePem', ({ certificatePem: _, ...rest }) => rest, /certificatePem must be a non-empty string/],
    ['an empty templateArn', (event) => ({ ...event, templateArn: '' }), /templateArn must be a non-empty string/],
    ['a numeric clientId', (event) => ({ ...event, clientId: 7 }), /clientId must be a string/],
  ])('%s', async (_name, mangle, reason) => {
    await expect(handler(mangle(hookEvent(device, VALID)))).resolves.toEqual({ allowProvisioning: false });
    const line = onlyLogLine();
    expect(line).toMatchObject({ level: 'WARN', message: 'provisioning denied' });
    expect(line.reason).toMatch(reason);
  });

  test('an unexpected failure inside the hook denies too, logged as an ERROR without a stack', async () => {
    const event = hookEvent(device, VALID);
    Object.defineProperty(event, 'certificateId', { enumerable: true, get: () => { throw new TypeError('boom'); } });

    await expect(handler(event)).resolves.toEqual({ allowProvisioning: false });
    const line = onlyLogLine();
    expect(line).toMatchObject({ level: 'ERROR', message: 'provisioning denied', reason: 'the hook failed', errorName: 'TypeError', errorMessage: 'boom' });
    expect(JSON.stringify(line)).not.toMatch(/at .*\.ts:\d+/);
  });
});
