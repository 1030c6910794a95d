import {
  AttachPolicyCommand,
  AttachThingPrincipalCommand,
  CreateThingCommand,
  UpdateCertificateCommand,
} from '@aws-sdk/client-iot';
import { InvokeCommand, InvokeCommandOutput } from '@aws-sdk/client-lambda';
import {
  ACTIVATOR_ENV,
  FaultTiming,
  registeredEvent,
  sqsEvent,
  sqsRecord,
  TestCa,
  useActivatorHarness,
} from './support';

const harness = useActivatorHarness();
const { iot, lambda } = harness;

const OURS = { 'cdk-iot-security:registrar': ACTIVATOR_ENV.REGISTRAR_ID };
const POLICY = ACTIVATOR_ENV.DEVICE_POLICY_NAME;


type Step = 'DescribeCertificate' | 'CreateThing' | 'ListThingPrincipals' | 'AttachPolicy' | 'AttachThingPrincipal' | 'UpdateCertificate';

/** The activator's steps for one certificate, in order (after the CA lookup). */
const STEP_ORDER: Step[] = ['DescribeCertificate', 'CreateThing', 'ListThingPrincipals', 'AttachPolicy', 'AttachThingPrincipal', 'UpdateCertificate'];

/** A Lambda crash or lost answer: a plain error, not an AWS refusal. */
function crash(): Error {
  const error = new Error('socket hang up');
  error.name = 'TimeoutError';
  return error;
}

/**
 * The crash hits a step either before AWS applied it, or after (AWS applied it, the answer was
 * lost: a timeout, or the Lambda dying between the call and the next line). Either way, SQS
 * delivers the same message again, and the second run must converge without doing anything twice.
 */
const CASES: [Step, FaultTiming][] = [
  ['AttachPolicy', 'before'],
  ['AttachPolicy', 'after'],
  ['AttachThingPrincipal', 'before'],
  ['AttachThingPrincipal', 'after'],
  ['UpdateCertificate', 'before'],
  ['UpdateCertificate', 'after'],
  ['CreateThing', 'before'],
  ['CreateThing', 'after'],
  ['ListThingPrincipals', 'before'],
  ['DescribeCertificate', 'before'],
];

describe.each(['without', 'with'] as const)('device activator crash recovery (%s verifier)', (verifierMode) => {
  test.each(CASES)('a crash at %s (%s it took effect) fails the record; the redelivery converges', async (step, timing) => {
    const ca = await TestCa.create();
    harness.registry.addCa(ca.id, verifierMode === 'with' ? { ...OURS, 'cdk-iot-security:verifier': 'acme-verifier' } : OURS);
    const device = await ca.device({ commonName: 'sensor-crash' });
    harness.registry.addCertificate(device);
    lambda.on(InvokeCommand).resolves({
      StatusCode: 200,
      Payload: Buffer.from(JSON.stringify({ verified: true, thingName: 'acme-crash-1', attributes: { line: '7' } })) as unknown as InvokeCommandOutput['Payload'],
    });
    const thingName = verifierMode === 'with' ? 'acme-crash-1' : 'sensor-crash';
    harness.registry.failNext(step, crash(), { timing });
    const record = sqsRecord(registeredEvent(device), `crash-${step}-${timing}`);

    // First delivery: the crash surfaces as a batch item failure, so SQS redelivers the message.
    expect(await harness.handler(sqsEvent(record))).toEqual({ batchItemFailures: [{ itemIdentifier: record.messageId }] });
    const appliedActivation = step === 'UpdateCertificate' && timing === 'after';
    expect(harness.registry.statusOf(device.certificateId)).toBe(appliedActivation ? 'ACTIVE' : 'PENDING_ACTIVATION');

    // Second delivery of the very same message, AWS now answering.
    expect(await harness.handler(sqsEvent(record))).toEqual({ batchItemFailures: [] });

    expect(harness.registry.statusOf(device.certificateId)).toBe('ACTIVE');
    // Exactly one thing, bound to this certificate only, exclusively.
    expect([...harness.registry.things.keys()]).toEqual([thingName]);
    expect(harness.registry.things.get(thingName)!.principals).toEqual([{ arn: device.certificateArn, exclusive: true }]);
    expect([...harness.registry.policyTargets.get(POLICY)!]).toEqual([device.certificateArn]);
    // One thing name used by every call, on both deliveries.
    const thingNames = new Set([
      ...iot.commandCalls(CreateThingCommand).map((call) => call.args[0].input.thingName),
      ...iot.commandCalls(AttachThingPrincipalCommand).map((call) => call.args[0].input.thingName),
    ]);
    expect([...thingNames]).toEqual([thingName]);
    // ACTIVE took effect once, and was the last change; REVOKED never happened.
    expect(harness.registry.statusChanges).toEqual([{ certificateId: device.certificateId, newStatus: 'ACTIVE' }]);
    const activeCalls = iot.commandCalls(UpdateCertificateCommand, { newStatus: 'ACTIVE' });
    // Only a crash that hit UpdateCertificate before it applied needs a second UpdateCertificate call.
    expect(activeCalls).toHaveLength(step === 'UpdateCertificate' && timing === 'before' ? 2 : 1);
    expect(iot.commandCalls(UpdateCertificateCommand, { newStatus: 'REVOKED' })).toHaveLength(0);
    // Nothing after ACTIVE: it is set last (or, if it had already applied, the redelivery only looks).
    const lastCall = iot.calls().at(-1)!.args[0];
    if (appliedActivation) {
      expect(lastCall.constructor.name).toBe('DescribeCertificateCommand');
    } else {
      expect(lastCall).toBeInstanceOf(UpdateCertificateCommand);
      expect(lastCall.input).toEqual({ certificateId: device.certificateId, newStatus: 'ACTIVE' });
    }
    // Each delivery repeats each idempotent step at most once: the first up to the crash, the second all of it.
    const reached = (of: Step) => (STEP_ORDER.indexOf(step) >= STEP_ORDER.indexOf(of) ? 1 : 0) + (appliedActivation ? 0 : 1);
    expect(iot.commandCalls(CreateThingCommand)).toHaveLength(reached('CreateThing'));
    expect(iot.commandCalls(AttachPolicyCommand)).toHaveLength(reached('AttachPolicy'));
    expect(iot.commandCalls(AttachThingPrincipalCommand)).toHaveLength(reached('AttachThingPrincipal'));
    expect(lambda.commandCalls(InvokeCommand)).toHaveLength(verifierMode === 'with' ? reached('CreateThing') : 0);
  });
});
