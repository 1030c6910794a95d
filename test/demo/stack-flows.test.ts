/**
 * The demo's flows, end to end, on the synthesized JitrDemo stack run by the local runner (no
 * part of ours mocked): the flows pass as synthesized; a planted wiring fault fails them with a
 * message that names the fault; a message that keeps failing reaches the DLQ after
 * maxReceiveCount; a throttled control plane delays activations without losing any.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { synthesizeApiDemo } from './support/api-demo-assembly';
import { synthesizeFleetDemo } from './support/fleet-demo-assembly';
import { synthesizeJitpDemo } from './support/jitp-demo-assembly';
import { editJitrTemplate, resourcesLike, synthesizeJitrDemo, withoutIamAction } from './support/jitr-demo-assembly';
import { firstConnect, registerFactoryCa } from './support/jitr-devices';
import { flowTable, runFlows, type DemoFlow } from '../../demo/flow-runner';
import { DEMO_APPS } from '../../demo/flows';
import { runJitrStackFlow } from '../../demo/jitr/stack-flow';
import { ManualClock } from '../../local/runner/sqs';
import { startStackRunner } from '../../local/runner/stack-runner';

jest.setTimeout(240_000);

let cdkOut: string;
const scratch: string[] = [];

beforeAll(() => {
  cdkOut = synthesizeJitrDemo();
  scratch.push(cdkOut);
});

afterAll(() => {
  for (const dir of scratch) rmSync(dir, { recursive: true, force: true });
});

/** A copy of the synthesized assembly to plant a fault in. */
function assemblyCopy(): string {
  const copy = mkdtempSync(join(tmpdir(), 'cdk-iot-security-fault-'));
  cpSync(cdkOut, copy, { recursive: true });
  scratch.push(copy);
  return copy;
}

/** The JITR flow with a device that gives up sooner (a faulty stack never accepts it). */
const impatientJitr: DemoFlow = { name: 'JITR', run: (step, context) => runJitrStackFlow(step, { ...context, deviceAttempts: 4 }) };

test('npm run demo\'s flows pass on the synthesized stacks', async () => {
  const lines: string[] = [];
  const others = [synthesizeJitpDemo(), synthesizeFleetDemo(), synthesizeApiDemo()];
  scratch.push(...others);
  const flows = DEMO_APPS.flatMap((app) => app.flows);
  const rows = await runFlows({ flows, cloudAssemblies: [cdkOut, ...others], print: (line) => lines.push(line) });
  const output = lines.join('\n');
  expect(rows.map(({ name, passed, failure }) => ({ name, passed, failure }))).toEqual([
    { name: 'JITR', passed: true, failure: undefined },
    { name: 'JITP', passed: true, failure: undefined },
    { name: 'Fleet', passed: true, failure: undefined },
    { name: 'CSR', passed: true, failure: undefined },
    { name: 'Gateway', passed: true, failure: undefined },
  ]);
  expect(output).toMatch(/ok {4}POST \/caRegister without a signature is refused .*: 403/);
  expect(output).toMatch(/ok {4}read the CA from the vault.*ca\.private_key\.pem: AccessDenied/);
  expect(output).toMatch(/attempt 1\/8: failed.* -> attempt \d\/8: connected -> received its own message on things\/demo-device-1\/hello/);
  expect(output).toMatch(/ok {4}the registry: .*thing demo-device-1, certificate [0-9a-f]{12}\.\.\. ACTIVE, policy JitrDevicePolicy/);
  // What the runner does not run is said once, plainly.
  expect(output).toMatch(/not run locally:\n(\s+- .*\n)*\s+- JitrDemo\/JitrActivatorBufferDeadLetterAlarm\w+: AWS::CloudWatch::Alarm is not run locally/);
  expect(flowTable(rows)[1]).toMatch(/^JITR +PASS +\d+\.\d$/);
  expect(flowTable(rows)[2]).toMatch(/^JITP +PASS +\d+\.\d$/);
  expect(flowTable(rows)[3]).toMatch(/^Fleet +PASS +\d+\.\d$/);
  expect(flowTable(rows)[4]).toMatch(/^CSR +PASS +\d+\.\d$/);
  expect(flowTable(rows)[5]).toMatch(/^Gateway +PASS +\d+\.\d$/);
});

describe('a wiring fault in the template fails the flow locally, with a message that names it', () => {
  test('the activator\'s role lacks iot:AttachThingPrincipal', async () => {
    const faulty = assemblyCopy();
    editJitrTemplate(faulty, (template) => withoutIamAction(template, 'JitrActivatorIotPolicy', 'iot:AttachThingPrincipal'));
    const rows = await runFlows({ flows: [impatientJitr], cloudAssemblies: [faulty], print: () => undefined });
    expect(rows[0].passed).toBe(false);
    expect(rows[0].failure).toMatch(/^device \(aws-iot-device-sdk-v2\).*the device was not accepted/);
    expect(rows[0].failure).toMatch(/activation failed.*AccessDeniedException.*is not authorized to perform: iot:AttachThingPrincipal on resource: arn:aws:iot:[^:]+:\d+:thing\/demo-device-1/);
  });

  test('the topic rule listens on the wrong topic', async () => {
    const faulty = assemblyCopy();
    editJitrTemplate(faulty, (template) => {
      resourcesLike(template, 'AWS::IoT::TopicRule', 'JitrActivatorTopicRule')[0].Properties.TopicRulePayload.Sql = "SELECT * FROM '$aws/events/certificate/registered/+'";
    });
    const rows = await runFlows({ flows: [impatientJitr], cloudAssemblies: [faulty], print: () => undefined });
    expect(rows[0].passed).toBe(false);
    expect(rows[0].failure).toMatch(/no topic rule matched \$aws\/events\/certificates\/registered\/[0-9a-f]{64} \(the stack's rules: JitrActivatorTopicRule\w+: SELECT \* FROM '\$aws\/events\/certificate\/registered\/\+'\)/);
  });

  test('the buffer queue\'s policy denies the rule\'s role: the event goes to the DLQ through the rule\'s error action', async () => {
    const faulty = assemblyCopy();
    editJitrTemplate(faulty, (template) => {
      const [policy] = resourcesLike(template, 'AWS::SQS::QueuePolicy', 'JitrActivatorBufferQueuePolicy');
      policy.Properties.PolicyDocument.Statement.push({ Effect: 'Deny', Principal: { AWS: '*' }, Action: 'sqs:SendMessage', Resource: '*' });
    });
    const rows = await runFlows({ flows: [impatientJitr], cloudAssemblies: [faulty], print: () => undefined });
    expect(rows[0].passed).toBe(false);
    expect(rows[0].failure).toMatch(/rule JitrActivatorTopicRule\w+: rule-action-failed SqsAction .*is not authorized to perform: sqs:SendMessage on resource: arn:aws:sqs:\S+BufferQueue\S+ with an explicit deny in a resource-based policy/);
    expect(rows[0].failure).toMatch(/queue JitrDemo-JitrActivatorBufferDeadLetterQueue\w+-\w+ holds [1-9]\d* message/);
  });

  test('the activator\'s role cannot receive from its queue: the runner refuses the event source mapping, as AWS does', async () => {
    const faulty = assemblyCopy();
    editJitrTemplate(faulty, (template) => withoutIamAction(template, 'JitrActivatorHandlerRoleDefaultPolicy', 'sqs:ReceiveMessage'));
    await expect(startStackRunner({ cloudAssemblies: [faulty], stateDirectory: assemblyCopy() }))
      .rejects.toThrow(/JitrDemo\/JitrActivatorHandlerFunctionSqsEventSource\w+: The function execution role does not have permissions to call ReceiveMessage on SQS/);
  });
});

test('an event the activator keeps failing on reaches the dead-letter queue after maxReceiveCount (5) receives, and nothing else', async () => {
  const faulty = assemblyCopy();
  editJitrTemplate(faulty, (template) => withoutIamAction(template, 'JitrActivatorIotPolicy', 'iot:AttachThingPrincipal'));
  const clock = new ManualClock(Date.now());
  const runner = await startStackRunner({ cloudAssemblies: [faulty], stateDirectory: assemblyCopy(), clock });
  try {
    const ca = await registerFactoryCa(runner);
    const certificateId = await firstConnect(runner, ca, 'demo-device-dlq');
    const [poller] = runner.pollers;
    const deadLetters = runner.queues.list().find((queue) => queue.name.includes('DeadLetter'))!;
    const buffer = runner.queues.list().find((queue) => queue !== deadLetters)!;
    const deadline = Date.now() + 120_000;
    // Step virtual time (batching window, 360 s visibility timeouts) only while no invocation runs.
    while (deadLetters.approximateNumberOfMessages() === 0 && Date.now() < deadline) {
      await runner.rules.idle();
      if (poller.invocationsInFlight === 0 && !clock.advanceToNextTimer()) await new Promise((resolve) => setTimeout(resolve, 20));
      else await new Promise((resolve) => setTimeout(resolve, 5));
    }
    const [dead] = deadLetters.receive(10);
    expect(JSON.parse(dead.body)).toMatchObject({ certificateId, caCertificateId: ca.caCertificateId, certificateStatus: 'PENDING_ACTIVATION' });
    expect(poller.invocations).toBe(5);
    expect(buffer.approximateNumberOfMessages() + buffer.approximateNumberOfMessagesNotVisible()).toBe(0);
    expect(deadLetters.approximateNumberOfMessagesNotVisible()).toBe(1); // just received above: the only one
    expect(runner.cloud.model.certificate(certificateId)?.status).toBe('PENDING_ACTIVATION');
  } finally {
    await runner.close();
  }
});

test('a throttled control plane delays activations without losing or duplicating any', async () => {
  // Two calls a second for what the activator does per device: eight devices at once must queue up behind the limits.
  const tps = 2;
  const runner = await startStackRunner({
    cloudAssemblies: [cdkOut],
    stateDirectory: assemblyCopy(),
    rateLimits: {
      DescribeCertificate: tps, CreateThing: tps, ListThingPrincipals: tps, AttachPolicy: tps, AttachThingPrincipal: tps, UpdateCertificate: tps,
    },
  });
  try {
    const ca = await registerFactoryCa(runner);
    const names = Array.from({ length: 8 }, (_, index) => `demo-device-burst-${index}`);
    const certificateIds = await Promise.all(names.map((name) => firstConnect(runner, ca, name)));
    await runner.settled(120_000);
    for (const [index, certificateId] of certificateIds.entries()) {
      expect(runner.cloud.model.certificate(certificateId)?.status).toBe('ACTIVE');
      expect(runner.cloud.model.thingsOfPrincipal(`arn:aws:iot:${runner.region}:${runner.accountId}:cert/${certificateId}`)).toEqual([names[index]]);
    }
    const throttled = runner.cloud.model.throttledCalls();
    expect(Object.values(throttled).reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
    expect(runner.queues.list().map((queue) => queue.approximateNumberOfMessages() + queue.approximateNumberOfMessagesNotVisible())).toEqual([0, 0]);
  } finally {
    await runner.close();
  }
});
