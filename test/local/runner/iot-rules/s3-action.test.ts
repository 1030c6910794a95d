/**
 * The topic rule S3 action through the stack runner: the key's substitution templates (topic(), timestamp(),
 * newuuid(), payload fields) are evaluated per message, the object is written as the rule's role through the local S3
 * (its IAM and the bucket's default SSE-KMS), and a refused write goes to the error action (SQS) with AWS's payload.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSubstitutionTemplate, renderSubstitutionTemplate } from '../../../../local/runner/iot-rules';
import { startStackRunner, type RunningStacks } from '../../../../local/runner/stack-runner';
import { role, trustFor, writeCloudAssembly } from '../../support/hand-written-assembly';

const STACK = 'S3Rules';
let runner: RunningStacks;
let assembly: string;
let state: string;

function rule(name: string, roleId: string, key: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'AWS::IoT::TopicRule',
    Properties: {
      RuleName: name,
      TopicRulePayload: {
        Sql: `SELECT *, topic(3) AS device FROM 'registry/${name}/+'`,
        AwsIotSqlVersion: '2016-03-23',
        Actions: [{ S3: { BucketName: { Ref: 'Archive' }, Key: key, RoleArn: { 'Fn::GetAtt': [roleId, 'Arn'] }, ...extra } }],
        ErrorAction: { Sqs: { QueueUrl: { Ref: 'Failures' }, RoleArn: { 'Fn::GetAtt': ['WriterRole', 'Arn'] } } },
      },
    },
  };
}

beforeAll(async () => {
  const objects = { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Archive', 'Arn'] }, '/*']] };
  assembly = writeCloudAssembly(STACK, {
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Statement: [{ Effect: 'Allow', Principal: { AWS: 'arn:aws:iam::123456789012:root' }, Action: 'kms:*', Resource: '*' }] } } },
    Archive: {
      Type: 'AWS::S3::Bucket',
      Properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }] },
      },
    },
    Failures: { Type: 'AWS::SQS::Queue' },
    WriterRole: role(trustFor('iot.amazonaws.com'), [
      { Effect: 'Allow', Action: 's3:PutObject', Resource: objects },
      { Effect: 'Allow', Action: ['kms:GenerateDataKey', 'kms:Decrypt'], Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } },
      { Effect: 'Allow', Action: 'sqs:SendMessage', Resource: { 'Fn::GetAtt': ['Failures', 'Arn'] } },
    ]),
    ReadOnlyRole: role(trustFor('iot.amazonaws.com'), [{ Effect: 'Allow', Action: 's3:GetObject', Resource: objects }]),
    archive: rule('archive', 'WriterRole', 'events/${topic(2)}/${eventType}/${topic(3)}/${timestamp()}-${newuuid()}.json'),
    refused: rule('refused', 'ReadOnlyRole', 'refused/${newuuid()}'),
    acl: rule('acl', 'WriterRole', 'acl/${clientid()}', { CannedAcl: 'bucket-owner-full-control' }),
  });
  state = mkdtempSync(join(tmpdir(), 's3-rules-state-'));
  runner = await startStackRunner({ cloudAssemblies: [assembly], stateDirectory: state, rateLimits: false });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  rmSync(assembly, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

const bucket = () => runner.s3.bucket(runner.resource(STACK, 'Archive').physicalId)!;
const failures = () => {
  const queue = runner.queues.list()[0];
  return queue.receive(10).map((message) => JSON.parse(message.body));
};

test('the S3 action is run, not listed as unsupported', () => {
  expect(runner.notRun.filter((sentence) => sentence.includes('S3 action'))).toEqual([]);
});

// Templates are evaluated against the incoming message, not the SELECT output (an alias such as `device` is not seen), as on AWS.
test('each message becomes an object at its substituted key, written as the rule role with the bucket\'s SSE-KMS key', async () => {
  const before = Date.now();
  await runner.rules.handle({ topic: 'registry/archive/gw-1', payload: Buffer.from('{"eventType":"THING"}'), clientId: 'c1' });
  await runner.rules.handle({ topic: 'registry/archive/gw-1', payload: Buffer.from('{"eventType":"THING"}'), clientId: 'c1' });
  const keys = bucket().listCurrent().map((object) => object.key);
  expect(keys).toHaveLength(2);
  for (const key of keys) {
    const match = /^events\/archive\/THING\/gw-1\/(\d+)-([0-9a-f-]{36})\.json$/.exec(key);
    expect(match).not.toBeNull();
    expect(Number(match![1])).toBeGreaterThanOrEqual(before);
  }
  expect(keys[0]).not.toBe(keys[1]);
  const stored = bucket().current(keys[0])!;
  expect(stored.sealing).toMatchObject({ algorithm: 'aws:kms', kmsKeyArn: runner.resource(STACK, 'Key').attributes.Arn });
  expect(failures()).toEqual([]);
});

test('a role without s3:PutObject fails the action: the error action gets AWS\'s payload naming S3Action and the bucket', async () => {
  await runner.rules.handle({ topic: 'registry/refused/gw-2', payload: Buffer.from('{"n":1}'), clientId: 'c2' });
  const [failure] = failures();
  expect(failure).toMatchObject({
    ruleName: 'refused',
    topic: 'registry/refused/gw-2',
    clientId: 'c2',
    base64OriginalPayload: Buffer.from('{"n":1}').toString('base64'),
    failures: [{ failedAction: 'S3Action', failedResource: bucket().name, errorMessage: expect.stringMatching(/AccessDenied: .*s3:PutObject/) }],
  });
});

test('a CannedAcl needs s3:PutObjectAcl too', async () => {
  await runner.rules.handle({ topic: 'registry/acl/gw-3', payload: Buffer.from('{}'), clientId: 'c3' });
  const [failure] = failures();
  expect(failure.failures[0].errorMessage).toMatch(/s3:PutObjectAcl/);
});

describe('substitution templates', () => {
  const message = { topic: 'a/b/c', payload: Buffer.from('{"device":{"id":"d-1"},"n":3}'), clientId: 'cl', timestamp: 1700000000000 };
  test('functions, payload paths and literal text', () => {
    const parts = parseSubstitutionTemplate('${topic(1)}/${device.id}/${n}/${clientid()}-${timestamp()}.json');
    expect(renderSubstitutionTemplate(parts, message)).toBe('a/d-1/3/cl-1700000000000.json');
    expect(renderSubstitutionTemplate(parseSubstitutionTemplate('${missing}x'), message)).toBe('x');
    expect(renderSubstitutionTemplate(parseSubstitutionTemplate('${newuuid()}'), message)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-/);
  });
  test('an unterminated template or an unsupported function is refused', () => {
    expect(() => parseSubstitutionTemplate('${topic()')).toThrow(/without its closing/);
    expect(() => parseSubstitutionTemplate('${md5(topic())}')).toThrow(/md5/);
  });
});
