/**
 * Registry events of things end to end: the event configuration set through `@aws-sdk/client-iot`, the things changed
 * through it, and the `$aws/events/thing/...` messages received by a raw MQTT subscriber on the gateway (a device with
 * iot:Subscribe / iot:Receive on the event topics), published by AWS IoT itself (no client id, as topic rules see them).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  AttachPolicyCommand,
  CreateKeysAndCertificateCommand,
  CreatePolicyCommand,
  CreateThingCommand,
  DeleteThingCommand,
  DescribeEventConfigurationsCommand,
  DescribeThingCommand,
  InvalidRequestException,
  IoTClient,
  RegisterThingCommand,
  UpdateEventConfigurationsCommand,
  UpdateThingCommand,
} from '@aws-sdk/client-iot';
import type { MqttClient } from 'mqtt';
import type { GatewayMessage } from '../../../local/gateway';
import { startLocalCloud, type LocalCloud } from '../../../local/local-cloud';
import { connectOnce } from '../support/raw-mqtt';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

let dir: string;
let cloud: LocalCloud;
let iot: IoTClient;
let watcher: MqttClient;
/** What the subscriber received: topic and parsed payload. */
const received: { topic: string; payload: Record<string, unknown> }[] = [];
/** What the gateway's listeners (the topic rules) saw on `$aws/events/thing/...`. */
const seenByRules: GatewayMessage[] = [];

async function eventually<T>(probe: () => T | undefined, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(10);
  }
}

const eventOn = (topic: string) => eventually(() => received.find((message) => message.topic === topic), topic);

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'registry-events-'));
  cloud = await startLocalCloud({ stateDirectory: dir, rateLimits: false });
  cloud.mqtt.onMessage((message) => {
    if (message.topic.startsWith('$aws/events/thing/')) seenByRules.push(message);
  });
  const { region, accountId } = cloud.model;
  iot = new IoTClient({ endpoint: cloud.controlPlaneUrl, region, credentials: { accessKeyId: 'local', secretAccessKey: 'local' } });
  // A watcher device allowed to subscribe to and receive the thing events, as the developer guide's policy for event messages.
  const keys = await iot.send(new CreateKeysAndCertificateCommand({ setAsActive: true }));
  const arn = (resource: string) => `arn:aws:iot:${region}:${accountId}:${resource}`;
  await iot.send(new CreatePolicyCommand({
    policyName: 'EventWatcher',
    policyDocument: JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: arn('client/watcher') },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: arn('topicfilter/$aws/events/thing/*') },
        { Effect: 'Allow', Action: 'iot:Receive', Resource: arn('topic/$aws/events/thing/*') },
      ],
    }),
  }));
  await iot.send(new AttachPolicyCommand({ policyName: 'EventWatcher', target: keys.certificateArn }));
  watcher = await connectOnce({
    port: cloud.mqtt.port,
    clientId: 'watcher',
    cert: keys.certificatePem!,
    key: keys.keyPair!.PrivateKey!,
    ca: readFileSync(cloud.serverIdentity.caCertificatePath),
  });
  watcher.on('message', (topic, payload) => received.push({ topic, payload: JSON.parse(payload.toString('utf8')) }));
  const granted = await watcher.subscribeAsync('$aws/events/thing/#', { qos: 0 });
  expect(granted.map((grant) => grant.qos)).toEqual([0]);
}, 30_000);

afterAll(async () => {
  await watcher?.endAsync(true);
  iot?.destroy();
  await cloud?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('every event type is disabled by default, and a thing made meanwhile is not announced', async () => {
  const described = await iot.send(new DescribeEventConfigurationsCommand({}));
  expect(Object.values(described.eventConfigurations ?? {}).every((configuration) => configuration.Enabled === false)).toBe(true);
  expect(described.eventConfigurations?.THING).toEqual({ Enabled: false });
  expect(described.creationDate).toBeInstanceOf(Date);
  await iot.send(new CreateThingCommand({ thingName: 'before-enabling' }));

  await iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { THING: { Enabled: true } } }));
  const after = await iot.send(new DescribeEventConfigurationsCommand({}));
  expect(after.eventConfigurations).toMatchObject({ THING: { Enabled: true }, THING_GROUP: { Enabled: false }, CERTIFICATE: { Enabled: false } });
  expect(after.lastModifiedDate!.getTime()).toBeGreaterThanOrEqual(after.creationDate!.getTime());
  // The broker keeps one connection's messages in order: once this thing's event is in, an earlier one would be too.
  await iot.send(new CreateThingCommand({ thingName: 'marker' }));
  await eventOn('$aws/events/thing/marker/created');
  expect(received.map((message) => message.topic)).toEqual(['$aws/events/thing/marker/created']);
});

test('an unknown event type is refused with InvalidRequestException', async () => {
  await expect(iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { SHADOW: { Enabled: true } } as never })))
    .rejects.toBeInstanceOf(InvalidRequestException);
});

test('CreateThing, UpdateThing and DeleteThing through the SDK publish the documented payloads', async () => {
  const { accountId } = cloud.model;
  const created = await iot.send(new CreateThingCommand({ thingName: 'sensor-7', attributePayload: { attributes: { site: 'berlin' } } }));
  await iot.send(new UpdateThingCommand({ thingName: 'sensor-7', attributePayload: { attributes: { floor: '3' }, merge: true }, expectedVersion: 1 }));
  expect(await iot.send(new DescribeThingCommand({ thingName: 'sensor-7' }))).toMatchObject({ version: 2, attributes: { site: 'berlin', floor: '3' } });
  await iot.send(new DeleteThingCommand({ thingName: 'sensor-7' }));

  const common = { eventType: 'THING_EVENT', accountId, thingId: created.thingId, thingName: 'sensor-7', thingTypeName: null };
  const timestamp = expect.any(Number);
  expect((await eventOn('$aws/events/thing/sensor-7/created')).payload).toEqual({
    ...common, eventId: expect.stringMatching(UUID), timestamp, operation: 'CREATED', versionNumber: 1, attributes: { site: 'berlin' },
  });
  expect((await eventOn('$aws/events/thing/sensor-7/updated')).payload).toEqual({
    ...common, eventId: expect.stringMatching(UUID), timestamp, operation: 'UPDATED', versionNumber: 2, attributes: { site: 'berlin', floor: '3' },
  });
  const deleted = (await eventOn('$aws/events/thing/sensor-7/deleted')).payload;
  expect(deleted).toEqual({
    ...common, eventId: expect.stringMatching(UUID), timestamp, operation: 'DELETED', versionNumber: 2, attributes: { site: 'berlin', floor: '3' },
  });
  expect(Math.abs((deleted.timestamp as number) - Date.now())).toBeLessThan(10_000);

  // The same messages reached the gateway's listeners (what the topic rules see), as AWS IoT's own: no client id.
  const forRules = seenByRules.filter((message) => message.topic.startsWith('$aws/events/thing/sensor-7/'));
  expect(forRules.map((message) => [message.topic, message.clientId])).toEqual([
    ['$aws/events/thing/sensor-7/created', undefined],
    ['$aws/events/thing/sensor-7/updated', undefined],
    ['$aws/events/thing/sensor-7/deleted', undefined],
  ]);
});

test('a thing created by a provisioning template (RegisterThing) is announced too', async () => {
  const templateBody = JSON.stringify({
    Parameters: { SerialNumber: { Type: 'String' } },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: { ThingName: { 'Fn::Join': ['', ['device-', { Ref: 'SerialNumber' }]] }, AttributePayload: { serial: { Ref: 'SerialNumber' } } },
      },
    },
  });
  await iot.send(new RegisterThingCommand({ templateBody, parameters: { SerialNumber: 'sn-42' } }));
  expect((await eventOn('$aws/events/thing/device-sn-42/created')).payload).toMatchObject({
    eventType: 'THING_EVENT', operation: 'CREATED', thingName: 'device-sn-42', versionNumber: 1, thingTypeName: null, attributes: { serial: 'sn-42' },
  });
});

test('disabled again, nothing more is announced', async () => {
  await iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { THING: { Enabled: false } } }));
  await iot.send(new CreateThingCommand({ thingName: 'after-disabling' }));
  await iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { THING: { Enabled: true } } }));
  await iot.send(new CreateThingCommand({ thingName: 'last-marker' }));
  await eventOn('$aws/events/thing/last-marker/created');
  expect(received.some((message) => message.topic.includes('after-disabling'))).toBe(false);
});
