/**
 * Registry events through the stack runner: a topic rule `SELECT * FROM '$aws/events/thing/#'` with an S3 action
 * archives the thing events AWS IoT publishes once the account enables them, each as an object written as the rule's
 * role. Everything is done as a user would: the event configuration and the thing through `@aws-sdk/client-iot`,
 * signed with the runner's admin credentials (so iot:UpdateEventConfigurations is authorized on "*").
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CreateThingCommand, DescribeEventConfigurationsCommand, IoTClient, UpdateEventConfigurationsCommand } from '@aws-sdk/client-iot';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { startStackRunner, type RunningStacks } from '../../../../local/runner/stack-runner';
import { role, trustFor, writeCloudAssembly } from '../../support/hand-written-assembly';

const STACK = 'RegistryEventArchive';
let runner: RunningStacks;
let assembly: string;
let state: string;
let iot: IoTClient;

beforeAll(async () => {
  assembly = writeCloudAssembly(STACK, {
    Archive: { Type: 'AWS::S3::Bucket' },
    ArchiveRole: role(trustFor('iot.amazonaws.com'), [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Archive', 'Arn'] }, '/*']] } },
    ]),
    ThingEvents: {
      Type: 'AWS::IoT::TopicRule',
      Properties: {
        TopicRulePayload: {
          Sql: "SELECT * FROM '$aws/events/thing/#'",
          AwsIotSqlVersion: '2016-03-23',
          Actions: [{
            S3: {
              BucketName: { Ref: 'Archive' },
              Key: 'things/${topic(4)}/${topic(5)}/${eventId}.json',
              RoleArn: { 'Fn::GetAtt': ['ArchiveRole', 'Arn'] },
            },
          }],
        },
      },
    },
  });
  state = mkdtempSync(join(tmpdir(), 'registry-events-state-'));
  runner = await startStackRunner({ cloudAssemblies: [assembly], stateDirectory: state, rateLimits: false });
  iot = new IoTClient({ endpoint: runner.endpoints.IOT, region: runner.region, credentials: runner.adminCredentials, maxAttempts: 1 });
}, 60_000);

afterAll(async () => {
  iot?.destroy();
  await runner?.close();
  rmSync(assembly, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

const bucket = () => runner.s3.bucket(runner.resource(STACK, 'Archive').physicalId)!;
const keys = () => bucket().listCurrent().map((object) => object.key);

test('the rule on $aws/events/thing/# with an S3 action is run, not listed as unsupported', () => {
  expect(runner.notRun.filter((sentence) => sentence.includes('ThingEvents'))).toEqual([]);
});

test('with THING events off (the default) a new thing leaves the archive empty', async () => {
  const described = await iot.send(new DescribeEventConfigurationsCommand({}));
  expect(described.eventConfigurations?.THING).toEqual({ Enabled: false });
  await iot.send(new CreateThingCommand({ thingName: 'unannounced' }));
  await runner.settled();
  expect(keys()).toEqual([]);
});

test('enabled through the SDK, the created event is archived as an object with AWS\'s payload', async () => {
  await iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations: { THING: { Enabled: true } } }));
  const created = await iot.send(new CreateThingCommand({ thingName: 'gateway-1', attributePayload: { attributes: { site: 'lab' } } }));
  let archived: string[] = [];
  for (let attempt = 0; attempt < 100 && archived.length === 0; attempt++) {
    await runner.settled();
    archived = keys();
    if (archived.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
  }
  expect(archived).toEqual([expect.stringMatching(/^things\/gateway-1\/created\/[0-9a-f-]{36}\.json$/)]);
  const s3 = new S3Client({ endpoint: runner.endpoints.S3, region: runner.region, credentials: runner.adminCredentials, forcePathStyle: true });
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket().name, Key: archived[0] }));
  const event = JSON.parse(await object.Body!.transformToString());
  s3.destroy();
  expect(event).toEqual({
    eventType: 'THING_EVENT',
    eventId: archived[0].split('/')[3].replace(/\.json$/, ''),
    timestamp: expect.any(Number),
    operation: 'CREATED',
    accountId: runner.accountId,
    thingId: created.thingId,
    thingName: 'gateway-1',
    versionNumber: 1,
    thingTypeName: null,
    attributes: { site: 'lab' },
  });
});
