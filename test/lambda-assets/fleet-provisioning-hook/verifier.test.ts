import { InvokeCommand, LambdaClient, ResourceNotFoundException, TooManyRequestsException } from '@aws-sdk/client-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import {
  captureLogs,
  CLAIM_CERTIFICATE_ID,
  expectNoKeyMaterial,
  FleetCertificate,
  fleetCertificate,
  hookEvent,
  HookHandler,
  loadHook,
  TEMPLATE_ARN,
  VERIFIER_ARN,
  verifierAnswers,
} from './support';
import { inspectCertificate } from '../../../lambda-assets/shared/pki';

/** The hook with the user's verifier; the thing-name parameter and the verifier timeout left at their defaults. */
const lambda = mockClient(LambdaClient);
let handler: HookHandler;
let device: FleetCertificate;
let logs: ReturnType<typeof captureLogs>;
const PARAMETERS = { SerialNumber: 'acme-0042', Region: 'eu' };

beforeAll(async () => {
  handler = loadHook({ REQUIRED_PARAMETERS: JSON.stringify(['SerialNumber']), VERIFIER_ARN });
  device = await fleetCertificate();
});
afterAll(() => lambda.restore());
beforeEach(() => {
  lambda.reset();
  logs = captureLogs();
});
afterEach(() => {
  jest.useRealTimers();
  expectNoKeyMaterial(logs.lines());
  logs.restore();
});

function onlyLogLine(): Record<string, unknown> {
  const lines = logs.lines();
  expect(lines).toHaveLength(1);
  return lines[0];
}

function invocation() {
  const calls = lambda.commandCalls(InvokeCommand);
  expect(calls).toHaveLength(1);
  return {
    input: calls[0].args[0].input,
    payload: JSON.parse(Buffer.from(calls[0].args[0].input.Payload as Uint8Array).toString('utf8')) as Record<string, unknown>,
    abortSignal: ((calls[0].args as readonly unknown[])[1] as { abortSignal?: AbortSignal } | undefined)?.abortSignal,
  };
}

describe('the verifier says yes', () => {
  test('allowed; the verifier got the contract input: the new certificate, no CA id, and the RegisterThing request', async () => {
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true }));

    await expect(handler(hookEvent(device, PARAMETERS))).resolves.toEqual({ allowProvisioning: true, parameterOverrides: {} });

    const { input, payload, abortSignal } = invocation();
    expect(input.FunctionName).toBe(VERIFIER_ARN);
    expect(input.InvocationType).toBe('RequestResponse');
    const info = inspectCertificate(device.certificatePem);
    expect(payload).toEqual({
      certificateId: device.certificateId,
      certificatePem: device.certificatePem,
      subject: { commonName: 'AWS IoT Certificate' },
      serialNumber: info.serialNumber,
      provisioning: { templateArn: TEMPLATE_ARN, claimCertificateId: CLAIM_CERTIFICATE_ID, clientId: 'factory-line-7', parameters: PARAMETERS },
    });
    expect(payload).not.toHaveProperty('caCertificateId');
    expect(abortSignal).toBeDefined();
    expect(abortSignal!.aborted).toBe(false);
    expect(onlyLogLine()).toMatchObject({ level: 'INFO', message: 'provisioning allowed', thingName: 'acme-0042', overriddenParameters: [] });
  });

  test('its parameterOverrides are answered as they are, and the log names them and the resulting thing', async () => {
    const parameterOverrides = { SerialNumber: 'acme-eu-0042', Region: '', Site: 'muc' };
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true, parameterOverrides, thingName: 'ignored-here' }));

    await expect(handler(hookEvent(device, PARAMETERS))).resolves.toEqual({ allowProvisioning: true, parameterOverrides });

    expect(onlyLogLine()).toMatchObject({
      level: 'INFO', message: 'provisioning allowed', thingName: 'acme-eu-0042', overriddenParameters: ['SerialNumber', 'Region', 'Site'],
    });
  });

  test.each<[string, Record<string, string>, RegExp]>([
    ['an invalid thing name', { SerialNumber: 'acme eu 0042' }, /'SerialNumber' names the thing/],
    ['an empty thing name', { SerialNumber: '' }, /'SerialNumber' is required/],
    ['a thing name of 129 characters', { SerialNumber: 'x'.repeat(129) }, /'SerialNumber' names the thing/],
  ])('overrides that give the thing %s are refused: denied, logged as the verifier\'s fault', async (_name, parameterOverrides, reason) => {
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true, parameterOverrides }));

    await expect(handler(hookEvent(device, PARAMETERS))).resolves.toEqual({ allowProvisioning: false });

    const line = onlyLogLine();
    expect(line).toMatchObject({ level: 'ERROR', message: 'provisioning denied', certificateId: device.certificateId });
    expect(line.reason).toMatch(/^the verifier's parameterOverrides break the template: /);
    expect(line.reason).toMatch(reason);
  });
});

describe('the verifier says no', () => {
  test.each<[string, unknown, string]>([
    ['with a reason', { verified: false, reason: 'serial acme-0042 is not on the allow-list' }, 'serial acme-0042 is not on the allow-list'],
    ['without a reason', { verified: false }, 'no reason given'],
    ['with overrides, which count for nothing', { verified: false, parameterOverrides: { SerialNumber: 'x' } }, 'no reason given'],
  ])('%s: denied, a WARN line with its reason', async (_name, answer, reason) => {
    lambda.on(InvokeCommand).resolves(verifierAnswers(answer));

    await expect(handler(hookEvent(device, PARAMETERS))).resolves.toEqual({ allowProvisioning: false });

    expect(onlyLogLine()).toMatchObject({
      level: 'WARN', message: 'provisioning denied', reason: `the verifier rejected the device: ${reason}`, certificateId: device.certificateId,
    });
  });
});

describe('a verifier that fails or breaks the contract denies', () => {
  test.each<[string, () => void, RegExp]>([
    ['throttled', () => lambda.on(InvokeCommand).rejects(new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} })),
      /^the verifier failed \(TooManyRequestsException\): Rate exceeded$/],
    ['deleted', () => lambda.on(InvokeCommand).rejects(new ResourceNotFoundException({ message: 'Function not found', $metadata: {} })),
      /^the verifier failed \(ResourceNotFoundException\): Function not found$/],
    ['a function error', () => lambda.on(InvokeCommand).resolves(verifierAnswers({ errorMessage: 'db down' }, 'Unhandled')),
      /VerifierContractError\): verifier 'acme-fleet-verifier' broke the contract: the function failed \(Unhandled\)/],
    ['an answer that is not JSON', () => lambda.on(InvokeCommand).resolves(verifierAnswers('yes')), /the answer is not JSON/],
    ["verified 'true'", () => lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: 'true' })), /"verified" must be a boolean/],
    ['overrides as a list', () => lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true, parameterOverrides: ['SerialNumber'] })),
      /"parameterOverrides" must be an object of strings/],
    ['a numeric override', () => lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true, parameterOverrides: { SerialNumber: 42 } })),
      /'SerialNumber' is number/],
  ])('%s', async (_name, arrange, reason) => {
    arrange();

    await expect(handler(hookEvent(device, PARAMETERS))).resolves.toEqual({ allowProvisioning: false });

    const line = onlyLogLine();
    expect(line).toMatchObject({ level: 'ERROR', message: 'provisioning denied', certificateId: device.certificateId });
    expect(line.reason).toMatch(reason);
  });

  test('a verifier that never answers: denied at VERIFIER_TIMEOUT_MS (3500 by default), inside AWS IoT\'s 5 s, and the call aborted', async () => {
    jest.useFakeTimers();
    lambda.on(InvokeCommand).callsFake(() => new Promise(() => undefined));

    let answer: unknown;
    void handler(hookEvent(device, PARAMETERS)).then((value) => { answer = value; });
    await jest.advanceTimersByTimeAsync(3499);
    expect(answer).toBeUndefined();
    await jest.advanceTimersByTimeAsync(1);

    expect(answer).toEqual({ allowProvisioning: false });
    expect(invocation().abortSignal!.aborted).toBe(true);
    expect(onlyLogLine()).toMatchObject({
      level: 'ERROR', message: 'provisioning denied', reason: "the verifier failed (VerifierTimeoutError): verifier 'acme-fleet-verifier' gave no answer within 3500 ms",
    });
    expect(jest.getTimerCount()).toBe(0);
  });
});

describe('what the verifier is not asked about', () => {
  test('bad parameters are denied before the verifier is invoked', async () => {
    await expect(handler(hookEvent(device, { SerialNumber: 'no spaces please' }))).resolves.toEqual({ allowProvisioning: false });
    expect(lambda.calls()).toHaveLength(0);
    expect(onlyLogLine().reason).toMatch(/^parameters: 'SerialNumber' names the thing/);
  });

  test('a certificatePem that does not parse is denied, not judged', async () => {
    const event = hookEvent(device, PARAMETERS, { certificatePem: '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n' });

    await expect(handler(event)).resolves.toEqual({ allowProvisioning: false });

    expect(lambda.calls()).toHaveLength(0);
    expect(onlyLogLine()).toMatchObject({ level: 'WARN', reason: expect.stringMatching(/^certificatePem: /) });
  });

  test('a certificatePem that is not the certificate certificateId names is denied, not judged', async () => {
    const other = await fleetCertificate();

    await expect(handler(hookEvent(device, PARAMETERS, { certificatePem: other.certificatePem }))).resolves.toEqual({ allowProvisioning: false });

    expect(lambda.calls()).toHaveLength(0);
    expect(onlyLogLine()).toMatchObject({ level: 'WARN', reason: 'certificatePem is not the certificate that certificateId names' });
  });
});
