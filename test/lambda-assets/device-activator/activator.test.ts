import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateThingCommand,
  DescribeCACertificateCommand,
  DescribeCertificateCommand,
  ListTagsForResourceCommand,
  ListThingPrincipalsCommand,
  ResourceAlreadyExistsException,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { InvokeCommand, InvokeCommandOutput, TooManyRequestsException } from '@aws-sdk/client-lambda';
import {
  ACTIVATOR_ENV,
  caArnOf,
  commandNames,
  Device,
  eventFor,
  registeredEvent,
  sqsEvent,
  sqsRecord,
  TestCa,
  useActivatorHarness,
} from './support';
import { callLog, OpenSsl } from '../ca-registrator/support';

const harness = useActivatorHarness();
const { iot, lambda } = harness;
const openssl = new OpenSsl();

const REGISTRAR = 'cdk-iot-security:registrar';
const VERIFIER = 'cdk-iot-security:verifier';
const POLICY = ACTIVATOR_ENV.DEVICE_POLICY_NAME;
const VERIFIER_ARN = (JSON.parse(ACTIVATOR_ENV.VERIFIER_ARNS) as Record<string, string>)['acme-verifier'];


afterAll(() => openssl.cleanup());


/**
 * A fresh CA per test (the activator caches CA ownership per container, keyed by CA id),
 * registered in the fake registry with the given tags, and its devices' certificates.
 */
async function scenario(tags: Record<string, string> | 'not-registered', ...subjects: { commonName?: string; organizationName?: string; countryName?: string }[]) {
  const ca = await TestCa.create();
  if (tags !== 'not-registered') harness.registry.addCa(ca.id, tags);
  const devices: Device[] = [];
  for (const subject of subjects) {
    const device = await ca.device(subject);
    harness.registry.addCertificate(device);
    devices.push(device);
  }
  return { ca, devices };
}

const ours = { [REGISTRAR]: ACTIVATOR_ENV.REGISTRAR_ID };
const oursWithVerifier = { [REGISTRAR]: ACTIVATOR_ENV.REGISTRAR_ID, [VERIFIER]: 'acme-verifier' };

function verifierAnswers(answer: unknown, functionError?: string): Partial<InvokeCommandOutput> {
  const text = typeof answer === 'string' ? answer : JSON.stringify(answer);
  return { StatusCode: 200, FunctionError: functionError, Payload: Buffer.from(text) as unknown as InvokeCommandOutput['Payload'] };
}

function invokedPayload(): Record<string, unknown> {
  expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
  const input = lambda.commandCalls(InvokeCommand)[0].args[0].input;
  expect(input.FunctionName).toBe(VERIFIER_ARN);
  expect(input.InvocationType).toBe('RequestResponse');
  return JSON.parse(Buffer.from(input.Payload as Uint8Array).toString('utf8')) as Record<string, unknown>;
}

function expectNothingWritten() {
  expect(iot.commandCalls(CreateThingCommand)).toHaveLength(0);
  expect(iot.commandCalls(AttachPolicyCommand)).toHaveLength(0);
  expect(iot.commandCalls(AttachThingPrincipalCommand)).toHaveLength(0);
  expect(iot.commandCalls(UpdateCertificateCommand)).toHaveLength(0);
}

function activationLog(outcome: string) {
  return harness.logs.lines().filter((line) => line.message === `activation ${outcome}`);
}

describe('device activator: a device of one of our CAs, no verifier', () => {
  test('creates the thing from the CN, attaches the shared policy and the thing, and sets ACTIVE last', async () => {
    const { ca, devices: [device] } = await scenario(ours, { commonName: 'sensor-001' });

    const result = await harness.handler(eventFor(device));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(commandNames(iot)).toEqual([
      'DescribeCACertificate',
      'ListTagsForResource',
      'DescribeCertificate',
      'CreateThing',
      'ListThingPrincipals',
      'AttachPolicy',
      'AttachThingPrincipal',
      'UpdateCertificate',
    ]);
    const input = (n: number) => iot.call(n).args[0].input;
    expect(input(0)).toEqual({ certificateId: ca.id });
    expect(input(1)).toEqual({ resourceArn: caArnOf(ca.id), nextToken: undefined });
    expect(input(2)).toEqual({ certificateId: device.certificateId });
    expect(input(3)).toEqual({ thingName: 'sensor-001', attributePayload: undefined });
    expect(input(4)).toEqual({ thingName: 'sensor-001', nextToken: undefined });
    expect(input(5)).toEqual({ policyName: POLICY, target: device.certificateArn });
    expect(input(6)).toEqual({ thingName: 'sensor-001', principal: device.certificateArn, thingPrincipalType: 'EXCLUSIVE_THING' });
    expect(input(7)).toEqual({ certificateId: device.certificateId, newStatus: 'ACTIVE' });

    expect(lambda.calls()).toHaveLength(0);
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
    expect(harness.registry.things.get('sensor-001')?.principals).toEqual([{ arn: device.certificateArn, exclusive: true }]);
    expect([...harness.registry.policyTargets.get(POLICY)!]).toEqual([device.certificateArn]);
    expect(activationLog('activated')).toEqual([expect.objectContaining({
      level: 'INFO', certificateId: device.certificateId, thingName: 'sensor-001', function: 'device-activator',
    })]);
  });

  test.each([
    ['a CN with a space', { commonName: 'my device' }],
    ['a CN with a dot', { commonName: 'sensor.example.com' }],
    ['no CN at all', { organizationName: 'Acme' }],
  ])('%s is not a valid thing name: the thing is named by the certificate id', async (_name, subject) => {
    const { devices: [device] } = await scenario(ours, subject);

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(iot.commandCalls(CreateThingCommand)[0].args[0].input.thingName).toBe(device.certificateId);
    expect(iot.commandCalls(AttachThingPrincipalCommand)[0].args[0].input.thingName).toBe(device.certificateId);
    expect([...harness.registry.things.keys()]).toEqual([device.certificateId]);
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
  });

  test('CreateThing answering ResourceAlreadyExists (thing exists with other attributes, no principal) is fine', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-002' });
    harness.registry.addThing('sensor-002', [], { provisionedBy: 'factory' });

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    await expect(iot.commandCalls(CreateThingCommand)[0].returnValue).rejects.toBeInstanceOf(ResourceAlreadyExistsException);
    expect(commandNames(iot).slice(3)).toEqual(['CreateThing', 'ListThingPrincipals', 'AttachPolicy', 'AttachThingPrincipal', 'UpdateCertificate']);
    expect(harness.registry.things.get('sensor-002')).toEqual({ attributes: { provisionedBy: 'factory' }, principals: [{ arn: device.certificateArn, exclusive: true }] });
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
  });

  test('a thing already bound to another certificate: the newcomer is REVOKED and gets neither policy nor thing', async () => {
    const { ca, devices: [device] } = await scenario(ours, { commonName: 'sensor-003' });
    const incumbent = await ca.device({ commonName: 'sensor-003' });
    harness.registry.addThing('sensor-003', [incumbent.certificateArn]);

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot).slice(3)).toEqual(['CreateThing', 'ListThingPrincipals', 'UpdateCertificate']);
    expect(iot.commandCalls(UpdateCertificateCommand)[0].args[0].input).toEqual({ certificateId: device.certificateId, newStatus: 'REVOKED' });
    expect(iot.commandCalls(AttachPolicyCommand)).toHaveLength(0);
    expect(iot.commandCalls(AttachThingPrincipalCommand)).toHaveLength(0);
    expect(harness.registry.statusOf(device.certificateId)).toBe('REVOKED');
    expect(harness.registry.things.get('sensor-003')!.principals.map((principal) => principal.arn)).toEqual([incumbent.certificateArn]);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'WARN',
      message: 'device rejected; certificate revoked',
      certificateId: device.certificateId,
      reason: expect.stringContaining("thing 'sensor-003' already belongs to another certificate"),
    }));
  });

  test('a thing whose principals span pages is judged on all of them', async () => {
    const { ca, devices: [device] } = await scenario(ours, { commonName: 'sensor-004' });
    const other = await ca.device({ commonName: 'sensor-004' });
    // The fake answers one principal per page: ours first, the other on page two.
    harness.registry.addThing('sensor-004', [device.certificateArn, other.certificateArn]);

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(iot.commandCalls(ListThingPrincipalsCommand).map((call) => call.args[0].input.nextToken)).toEqual([undefined, '1']);
    expect(harness.registry.statusOf(device.certificateId)).toBe('REVOKED');
  });
});

describe('device activator: certificates it must leave alone', () => {
  test.each(['ACTIVE', 'REVOKED', 'INACTIVE'] as const)('a certificate already %s is left as it is, and that is no failure', async (status) => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-010' });
    harness.registry.addCertificate(device, status);

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot)).toEqual(['DescribeCACertificate', 'ListTagsForResource', 'DescribeCertificate']);
    expect(harness.registry.statusOf(device.certificateId)).toBe(status);
    expect(activationLog('ignored')).toEqual([expect.objectContaining({ reason: `the certificate is ${status}` })]);
  });

  test('a certificate deleted since it registered is ignored, not retried into the DLQ', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-011' });
    // An operator deleted it: DescribeCertificate now answers ResourceNotFoundException.
    harness.registry.certificates.delete(device.certificateId);

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot)).toEqual(['DescribeCACertificate', 'ListTagsForResource', 'DescribeCertificate']);
    expect(activationLog('ignored')).toEqual([expect.objectContaining({ reason: 'the certificate no longer exists' })]);
  });

  test.each<[string, Record<string, string> | 'not-registered', string[]]>([
    ['a CA tagged by another registrar', { [REGISTRAR]: 'some-other-stack', [VERIFIER]: 'acme-verifier' }, ['DescribeCACertificate', 'ListTagsForResource', 'ListTagsForResource']],
    ['a CA with no tags', {}, ['DescribeCACertificate', 'ListTagsForResource']],
    ['a CA with only a verifier tag', { [VERIFIER]: 'acme-verifier' }, ['DescribeCACertificate', 'ListTagsForResource']],
    ['a CA AWS IoT does not know (ResourceNotFound)', 'not-registered', ['DescribeCACertificate']],
  ])('%s: ignored, nothing else called, no failure', async (_name, tags, expectedCalls) => {
    const { devices: [device] } = await scenario(tags, { commonName: 'sensor-011' });

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot)).toEqual(expectedCalls);
    expect(lambda.calls()).toHaveLength(0);
    expect(harness.registry.statusOf(device.certificateId)).toBe('PENDING_ACTIVATION');
    expect(activationLog('ignored')).toEqual([expect.objectContaining({ reason: 'the CA was not registered by this construct' })]);
  });

  test('a certificate AWS says another CA issued than the event names is ignored', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-012' });
    const otherCa = await TestCa.create('Other CA');
    harness.registry.addCa(otherCa.id, ours);

    expect(await harness.handler(eventFor({ ...device, caId: otherCa.id }))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot)).toEqual(['DescribeCACertificate', 'ListTagsForResource', 'DescribeCertificate']);
    expect(harness.registry.statusOf(device.certificateId)).toBe('PENDING_ACTIVATION');
  });

  test.each([
    ['not JSON', 'certificateId=abc'],
    ['JSON null', 'null'],
    ['a JSON array', '[]'],
    ['an empty object', '{}'],
    ['no caCertificateId', JSON.stringify({ certificateId: 'a'.repeat(64), certificateStatus: 'PENDING_ACTIVATION' })],
    ['an upper-case certificate id', JSON.stringify({ certificateId: 'A'.repeat(64), caCertificateId: 'b'.repeat(64) })],
    ['a short certificate id', JSON.stringify({ certificateId: 'abc', caCertificateId: 'b'.repeat(64) })],
    ['a numeric caCertificateId', JSON.stringify({ certificateId: 'a'.repeat(64), caCertificateId: 42 })],
  ])('a malformed message (%s) is dropped: no AWS call, not reported as a failure', async (_name, body) => {
    const result = await harness.handler(sqsEvent(sqsRecord(body, 'malformed-1')));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(iot.calls()).toHaveLength(0);
    expect(lambda.calls()).toHaveLength(0);
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'ERROR', message: 'event discarded', messageId: 'malformed-1', errorName: 'MalformedEventError',
    }));
  });
});

describe('device activator with a verifier', () => {
  test('sends the verifier the contract input and uses the thing name and attributes it answers', async () => {
    const { ca, devices: [device] } = await scenario(oursWithVerifier, { commonName: 'sensor-020', organizationName: 'Acme GmbH', countryName: 'DE' });
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true, thingName: 'acme-0042', attributes: { model: 'X1', batch: '2025-10' } }));

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    // The serial as openssl prints it, lower-cased: computed by a tool we did not write.
    const serial = /serial=([0-9A-F]+)/.exec(openssl.serial(device.certificatePem))![1].toLowerCase();
    expect(serial).toMatch(/^[0-9a-f]+$/);
    expect(invokedPayload()).toEqual({
      certificateId: device.certificateId,
      caCertificateId: ca.id,
      certificatePem: device.certificatePem,
      subject: { commonName: 'sensor-020', organizationName: 'Acme GmbH', countryName: 'DE' },
      serialNumber: serial,
    });
    // Both tags were read, one page each.
    expect(iot.commandCalls(ListTagsForResourceCommand).map((call) => call.args[0].input.nextToken)).toEqual([undefined, '1']);
    expect(iot.commandCalls(CreateThingCommand)[0].args[0].input).toEqual({
      thingName: 'acme-0042',
      attributePayload: { attributes: { model: 'X1', batch: '2025-10' } },
    });
    expect(iot.commandCalls(AttachThingPrincipalCommand)[0].args[0].input.thingName).toBe('acme-0042');
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
    expect([...harness.registry.things.keys()]).toEqual(['acme-0042']);
    // The verifier is asked after the certificate is read and before anything is created.
    expect(commandNames(iot).slice(3, 5)).toEqual(['DescribeCertificate', 'CreateThing']);
    expect(callLog(iot, lambda).slice(3, 6)).toEqual(['DescribeCertificate', 'Invoke', 'CreateThing']);
  });

  test('verified:true without a thing name falls back to the CN', async () => {
    const { devices: [device] } = await scenario(oursWithVerifier, { commonName: 'sensor-021' });
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true }));

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(iot.commandCalls(CreateThingCommand)[0].args[0].input).toEqual({ thingName: 'sensor-021', attributePayload: undefined });
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
  });

  test('verified:false revokes the certificate and creates nothing', async () => {
    const { devices: [device] } = await scenario(oursWithVerifier, { commonName: 'sensor-022' });
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: false, reason: 'serial not on the allow-list' }));

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot)).toEqual(['DescribeCACertificate', 'ListTagsForResource', 'ListTagsForResource', 'DescribeCertificate', 'UpdateCertificate']);
    expect(iot.commandCalls(UpdateCertificateCommand)[0].args[0].input).toEqual({ certificateId: device.certificateId, newStatus: 'REVOKED' });
    expect(iot.commandCalls(CreateThingCommand)).toHaveLength(0);
    expect(iot.commandCalls(AttachPolicyCommand)).toHaveLength(0);
    expect(iot.commandCalls(AttachThingPrincipalCommand)).toHaveLength(0);
    expect(harness.registry.statusOf(device.certificateId)).toBe('REVOKED');
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({
      level: 'WARN', reason: "verifier 'acme-verifier' rejected the device: serial not on the allow-list",
    }));
  });

  test.each<[string, Partial<InvokeCommandOutput> | Error]>([
    ['the function failed (FunctionError)', verifierAnswers({ errorType: 'Error', errorMessage: 'database down' }, 'Unhandled')],
    ['the answer "yes"', verifierAnswers('"yes"')],
    ['an answer that is not JSON', verifierAnswers('OK')],
    ['an empty answer', verifierAnswers('')],
    ["verified: 'true' (a string)", verifierAnswers({ verified: 'true' })],
    ['a thing name AWS IoT refuses', verifierAnswers({ verified: true, thingName: 'bad thing name!' })],
    ['an attribute name AWS IoT refuses', verifierAnswers({ verified: true, attributes: { 'bad name': 'x' } })],
    ['a non-string reason', verifierAnswers({ verified: false, reason: 42 })],
    ['Lambda refusing the call (TooManyRequests)', new TooManyRequestsException({ message: 'Rate exceeded', $metadata: {} })],
  ])('%s: the record is reported as failed and the certificate is neither activated nor revoked', async (_name, answer) => {
    const { devices: [device] } = await scenario(oursWithVerifier, { commonName: 'sensor-023' });
    if (answer instanceof Error) lambda.on(InvokeCommand).rejects(answer);
    else lambda.on(InvokeCommand).resolves(answer);
    const record = sqsRecord(registeredEvent(device), 'verifier-broken');

    expect(await harness.handler(sqsEvent(record))).toEqual({ batchItemFailures: [{ itemIdentifier: 'verifier-broken' }] });

    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(1);
    expectNothingWritten();
    expect(harness.registry.statusOf(device.certificateId)).toBe('PENDING_ACTIVATION');
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({ level: 'ERROR', message: 'activation failed; the message will be retried', messageId: 'verifier-broken' }));
  });

  test('a CA tagged with a verifier this stack does not have: failure, never admitted by default', async () => {
    const { devices: [device] } = await scenario({ [REGISTRAR]: ACTIVATOR_ENV.REGISTRAR_ID, [VERIFIER]: 'removed-verifier' }, { commonName: 'sensor-024' });
    const record = sqsRecord(registeredEvent(device), 'verifier-missing');

    expect(await harness.handler(sqsEvent(record))).toEqual({ batchItemFailures: [{ itemIdentifier: 'verifier-missing' }] });

    expect(lambda.calls()).toHaveLength(0);
    expectNothingWritten();
    expect(harness.logs.lines()).toContainEqual(expect.objectContaining({ errorName: 'VerifierContractError', errorMessage: expect.stringContaining('removed-verifier') }));
  });
});

describe('device activator: batches, duplicates and the CA cache', () => {
  test('two events for the same certificate in one batch: one activation; the repeat is ignored without a call', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-030' });

    const result = await harness.handler(sqsEvent(sqsRecord(registeredEvent(device), 'first'), sqsRecord(registeredEvent(device), 'second')));

    expect(result).toEqual({ batchItemFailures: [] });
    // AWS IoT repeats the event on every connect of a pending device: the repeat costs no DescribeCertificate (10 TPS).
    expect(iot.commandCalls(DescribeCertificateCommand)).toHaveLength(1);
    expect(iot.commandCalls(CreateThingCommand)).toHaveLength(1);
    expect(iot.commandCalls(AttachPolicyCommand)).toHaveLength(1);
    expect(iot.commandCalls(AttachThingPrincipalCommand)).toHaveLength(1);
    expect(iot.commandCalls(UpdateCertificateCommand)).toHaveLength(1);
    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(1);
    expect(harness.registry.statusChanges).toEqual([{ certificateId: device.certificateId, newStatus: 'ACTIVE' }]);
    expect(activationLog('activated')).toHaveLength(1);
    expect(activationLog('ignored')).toEqual([expect.objectContaining({ messageId: 'second', reason: expect.stringMatching(/^a repeated event/) })]);
  });

  test('the same event delivered again in a later invocation changes nothing and calls nothing', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-031' });
    await harness.handler(eventFor(device));
    iot.resetHistory();

    expect(await harness.handler(eventFor(device))).toEqual({ batchItemFailures: [] });

    expect(commandNames(iot)).toEqual([]);
    expect(harness.registry.statusChanges).toHaveLength(1);
  });

  test('an event for a certificate another instance settled: one DescribeCertificate, ignored, and not asked again', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-034' });
    harness.registry.certificates.get(device.certificateId)!.status = 'ACTIVE';

    await harness.handler(eventFor(device));
    await harness.handler(eventFor(device));

    expect(commandNames(iot)).toEqual(['DescribeCACertificate', 'ListTagsForResource', 'DescribeCertificate']);
    expect(activationLog('ignored').map((line) => line.reason)).toEqual(['the certificate is ACTIVE', expect.stringMatching(/^a repeated event/)]);
  });

  test('a rejected device\'s repeated event is ignored without a call; a new registration of the certificate is handled again', async () => {
    const { devices: [device] } = await scenario(oursWithVerifier, { commonName: 'sensor-035' });
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: false, reason: 'not on the list' }));
    await harness.handler(eventFor(device));
    await harness.handler(eventFor(device));
    expect(iot.commandCalls(DescribeCertificateCommand)).toHaveLength(1);
    expect(harness.registry.statusOf(device.certificateId)).toBe('REVOKED');

    // Deleted and registered again by JITR: PENDING_ACTIVATION, announced with a new registration timestamp.
    harness.registry.certificates.get(device.certificateId)!.status = 'PENDING_ACTIVATION';
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true }));
    await harness.handler(sqsEvent(sqsRecord({ ...registeredEvent(device), certificateRegistrationTimestamp: 1_760_000_500_000 })));

    expect(iot.commandCalls(DescribeCertificateCommand)).toHaveLength(2);
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
  });

  test('what is not settled is asked again: a certificate that does not exist (yet), a failed activation', async () => {
    const { devices: [missing, failing] } = await scenario(ours, { commonName: 'sensor-036' }, { commonName: 'sensor-037' });
    harness.registry.certificates.delete(missing.certificateId);
    harness.registry.failNext<{ thingName: string }>('CreateThing', new Error('socket hang up'));

    await harness.handler(eventFor(missing, failing));
    await harness.handler(eventFor(missing, failing));

    expect(iot.commandCalls(DescribeCertificateCommand).map((call) => call.args[0].input.certificateId))
      .toEqual([missing.certificateId, failing.certificateId, missing.certificateId, failing.certificateId]);
    expect(harness.registry.statusOf(failing.certificateId)).toBe('ACTIVE');
  });

  test('an early reminder of a registration this instance does not know is let go without a call; a late one is handled', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-038' });
    const registeredAt = 1_760_000_000_000;
    const reminder = (after: number) =>
      ({ ...registeredEvent(device), timestamp: registeredAt + after, certificateRegistrationTimestamp: registeredAt });

    expect(await harness.handler(sqsEvent(sqsRecord(reminder(5_000), 'early')))).toEqual({ batchItemFailures: [] });
    expect(commandNames(iot)).toEqual([]);
    expect(harness.registry.statusOf(device.certificateId)).toBe('PENDING_ACTIVATION');
    expect(activationLog('ignored')).toEqual([
      expect.objectContaining({ messageId: 'early', reason: expect.stringMatching(/^an early reminder/) }),
    ]);

    // Still pending a minute after its registration: its registration event may be lost, so the reminder activates it.
    expect(await harness.handler(sqsEvent(sqsRecord(reminder(61_000), 'late')))).toEqual({ batchItemFailures: [] });
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
  });

  test('a batch with one good and one failing record reports only the failing messageId', async () => {
    const { devices: [good, bad, alsoGood] } = await scenario(ours, { commonName: 'good-1' }, { commonName: 'bad-1' }, { commonName: 'good-2' });
    harness.registry.failNext<{ thingName: string }>('CreateThing', new Error('socket hang up'), { when: (input) => input.thingName === 'bad-1' });

    const result = await harness.handler(sqsEvent(
      sqsRecord(registeredEvent(good), 'm-good'),
      sqsRecord(registeredEvent(bad), 'm-bad'),
      sqsRecord('not json', 'm-malformed'),
      sqsRecord(registeredEvent(alsoGood), 'm-also-good'),
    ));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'm-bad' }] });
    expect(harness.registry.statusOf(good.certificateId)).toBe('ACTIVE');
    expect(harness.registry.statusOf(bad.certificateId)).toBe('PENDING_ACTIVATION');
    expect(harness.registry.statusOf(alsoGood.certificateId)).toBe('ACTIVE');
  });

  test('the devices of a batch are activated at once: every one is described before the first is set ACTIVE', async () => {
    const { devices } = await scenario(ours, ...['at-once-1', 'at-once-2', 'at-once-3', 'at-once-4', 'at-once-5'].map((commonName) => ({ commonName })));

    expect(await harness.handler(eventFor(...devices))).toEqual({ batchItemFailures: [] });

    const calls = commandNames(iot);
    const describes = calls.flatMap((name, index) => (name === 'DescribeCertificate' ? [index] : []));
    expect(describes).toHaveLength(5);
    expect(Math.max(...describes)).toBeLessThan(calls.indexOf('UpdateCertificate'));
    expect(devices.map((device) => harness.registry.statusOf(device.certificateId))).toEqual(Array(5).fill('ACTIVE'));
    expect([...harness.registry.things.keys()].filter((name) => name.startsWith('at-once-')).sort()).toEqual(devices.map((_, i) => `at-once-${i + 1}`));
  });

  test('two certificates asking for one thing name in one batch: they take turns, one gets the thing, the other is REVOKED', async () => {
    const { devices: [first, second] } = await scenario(ours, { commonName: 'twin-name' }, { commonName: 'twin-name' });

    expect(await harness.handler(eventFor(first, second))).toEqual({ batchItemFailures: [] });

    // At once, both would have found the thing free and both been attached to it.
    expect(harness.registry.things.get('twin-name')!.principals.map((principal) => principal.arn)).toEqual([first.certificateArn]);
    expect(harness.registry.statusOf(first.certificateId)).toBe('ACTIVE');
    expect(harness.registry.statusOf(second.certificateId)).toBe('REVOKED');
    expect(iot.commandCalls(AttachPolicyCommand).map((call) => call.args[0].input.target)).toEqual([first.certificateArn]);
  });

  test('two devices of one CA in a batch: the CA is described (and its tags read) once', async () => {
    const { devices } = await scenario(ours, { commonName: 'fleet-1' }, { commonName: 'fleet-2' });

    expect(await harness.handler(eventFor(...devices))).toEqual({ batchItemFailures: [] });

    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(1);
    expect(iot.commandCalls(ListTagsForResourceCommand)).toHaveLength(1);
    expect(devices.map((device) => harness.registry.statusOf(device.certificateId))).toEqual(['ACTIVE', 'ACTIVE']);
  });

  test('the cache also holds across invocations of a warm container', async () => {
    const { devices: [first, second] } = await scenario(ours, { commonName: 'warm-1' }, { commonName: 'warm-2' });

    await harness.handler(eventFor(first));
    await harness.handler(eventFor(second));

    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(1);
    expect(harness.registry.statusOf(second.certificateId)).toBe('ACTIVE');
  });

  test('a failed CA lookup is not cached: the retry reads the CA again and activates', async () => {
    const { devices: [device] } = await scenario(ours, { commonName: 'sensor-032' });
    harness.registry.failNext('DescribeCACertificate', new Error('connection reset'));
    const record = sqsRecord(registeredEvent(device), 'ca-lookup');

    expect(await harness.handler(sqsEvent(record))).toEqual({ batchItemFailures: [{ itemIdentifier: 'ca-lookup' }] });
    expect(await harness.handler(sqsEvent(record))).toEqual({ batchItemFailures: [] });

    expect(iot.commandCalls(DescribeCACertificateCommand)).toHaveLength(2);
    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
  });

  test('logs carry no certificate or key material', async () => {
    const { devices: [device] } = await scenario(oursWithVerifier, { commonName: 'sensor-033' });
    lambda.on(InvokeCommand).resolves(verifierAnswers({ verified: true }));

    await harness.handler(eventFor(device));

    expect(harness.logs.lines().length).toBeGreaterThan(0);
    expect(JSON.stringify(harness.logs.lines())).not.toMatch(/-----BEGIN/);
  });
});
