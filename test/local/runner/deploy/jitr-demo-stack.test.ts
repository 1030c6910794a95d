/**
 * The deploy modules on the real synthesized JitrDemo stack: every identity, reference, policy
 * and setting the handlers and services rely on, checked against the template.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACCOUNT, REGION, removeTemporaryDirectories, trackInlineCode } from './support';
import { IotModel } from '../../../../local/iot';
import { readCloudAssembly, type AssemblyStack, type CfnTemplate } from '../../../../local/runner/assembly';
import { functionsFromTemplate } from '../../../../local/runner/deploy/functions-from-template';
import { loadIamFromTemplate } from '../../../../local/runner/deploy/iam-from-template';
import { createIotRegistryResources } from '../../../../local/runner/deploy/iot-from-template';
import { notRunResources } from '../../../../local/runner/deploy/not-run';
import { createEventSourceMappings, createQueues } from '../../../../local/runner/deploy/queues-from-template';
import { resolveStack, type ResolvedStack } from '../../../../local/runner/deploy/resolve-stack';
import { createStorage } from '../../../../local/runner/deploy/storage-from-template';
import { LocalIam, servicePrincipal, type PolicyDocument, type PolicyStatement } from '../../../../local/runner/iam';
import { LocalKms } from '../../../../local/runner/kms';
import type { LocalFunctionDefinition, LocalFunctionInvoker } from '../../../../local/runner/lambda';
import { LocalS3 } from '../../../../local/runner/s3';
import { LocalQueues } from '../../../../local/runner/sqs';
import type { ResolvedResource } from '../../../../local/runner/types';
import { synthesizeJitrDemo } from '../../../demo/support/jitr-demo-assembly';

jest.setTimeout(120_000);

const TARGET = { accountId: ACCOUNT, region: REGION };

let cdkOut: string;
let assembly: AssemblyStack;
let stack: ResolvedStack;
let iam: LocalIam;
let notRun: string[];
let definitions: LocalFunctionDefinition[];

/** The one resource of `type` whose logical id starts with `prefix`. */
function one(type: string, prefix: string): ResolvedResource {
  const found = stack.resources.filter((resource) => resource.type === type && resource.logicalId.startsWith(prefix));
  expect(found).toHaveLength(1);
  return found[0];
}

const ofType = (type: string) => stack.resources.filter((resource) => resource.type === type);
const definitionOf = (prefix: string) => definitions.find((definition) => definition.logicalId.startsWith(prefix))!;
const asList = <T>(value: T | readonly T[] | undefined): T[] => (value === undefined ? [] : ([] as T[]).concat(value as T[]));

function allowed(roleArn: string, action: string, resource: string): boolean {
  return iam.authorize({ principal: { arn: roleArn, accountId: ACCOUNT }, action, resource }).allowed;
}

/** A resource ARN that a statement's Resource pattern matches (wildcards filled in). */
function sampleOf(pattern: string): string {
  return pattern === '*' ? `arn:aws:iot:${REGION}:${ACCOUNT}:thing/sample` : pattern.replace(/\*/g, 'sample');
}

beforeAll(() => {
  cdkOut = synthesizeJitrDemo();
  const stacks = readCloudAssembly(cdkOut);
  assembly = stacks.find((candidate) => candidate.stackName === 'JitrDemo')!;
  stack = resolveStack(assembly, TARGET);
  iam = new LocalIam(TARGET);
  notRun = [...notRunResources(stacks), ...loadIamFromTemplate(iam, stack.resources)];
  definitions = trackInlineCode(functionsFromTemplate(stack, iam));
});

afterAll(() => {
  if (cdkOut) fs.rmSync(cdkOut, { recursive: true, force: true });
  removeTemporaryDirectories();
});

describe('IAM of the JitrDemo stack', () => {
  test('every role gets every statement the template gives it (AWS::IAM::Policy by role name, managed policies by ARN)', () => {
    const roles = ofType('AWS::IAM::Role');
    expect(roles.length).toBeGreaterThanOrEqual(4);
    let checked = 0;
    for (const policy of ofType('AWS::IAM::Policy')) {
      const document = policy.properties.PolicyDocument as PolicyDocument;
      for (const roleName of policy.properties.Roles as string[]) {
        const role = roles.find((candidate) => candidate.physicalId === roleName);
        expect(role).toBeDefined();
        expect(iam.policiesOf(role!.attributes.Arn)).toContainEqual(document);
        for (const statement of asList<PolicyStatement>(document.Statement)) {
          for (const action of asList(statement.Action)) {
            for (const resource of asList(statement.Resource)) {
              expect({ role: role!.logicalId, action, resource, allowed: allowed(role!.attributes.Arn, action, sampleOf(resource)) })
                .toEqual({ role: role!.logicalId, action, resource, allowed: true });
              checked += 1;
            }
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(20);
    // The demo's verifier writes its own log group and no other (no AWSLambdaBasicExecutionRole).
    const verifierRole = one('AWS::IAM::Role', 'AllowListVerifierServiceRole');
    const verifierLogs = String(one('AWS::Logs::LogGroup', 'AllowListVerifierLogs').attributes.Arn).replace(/\*$/, 'log-stream:x');
    expect(allowed(verifierRole.attributes.Arn, 'logs:PutLogEvents', verifierLogs)).toBe(true);
    expect(allowed(verifierRole.attributes.Arn, 'logs:PutLogEvents', `arn:aws:logs:${REGION}:${ACCOUNT}:log-group:x:log-stream:x`)).toBe(false);
    expect(notRun.filter((sentence) => sentence.includes('managed policy'))).toEqual([]);
  });

  test('the activator may attach things, but only things; may attach the device policy, but no other policy', () => {
    const activator = one('AWS::IAM::Role', 'JitrActivatorHandlerRole').attributes.Arn;
    const devicePolicy = one('AWS::IoT::Policy', 'JitrDevicePolicy');
    expect(allowed(activator, 'iot:AttachThingPrincipal', `arn:aws:iot:${REGION}:${ACCOUNT}:thing/x`)).toBe(true);
    expect(allowed(activator, 'iot:AttachThingPrincipal', `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/x`)).toBe(false);
    expect(allowed(activator, 'iot:AttachThingPrincipal', `arn:aws:iot:us-west-2:${ACCOUNT}:thing/x`)).toBe(false);
    expect(allowed(activator, 'iot:AttachPolicy', devicePolicy.attributes.Arn)).toBe(true);
    expect(allowed(activator, 'iot:AttachPolicy', `arn:aws:iot:${REGION}:${ACCOUNT}:policy/AdminPolicy`)).toBe(false);
    expect(allowed(activator, 'iot:RegisterCACertificate', '*')).toBe(false);
    expect(allowed(activator, 'lambda:InvokeFunction', one('AWS::Lambda::Function', 'AllowListVerifier').attributes.Arn)).toBe(true);
    expect(allowed(activator, 'sqs:ReceiveMessage', one('AWS::SQS::Queue', 'JitrActivatorBufferQueue').attributes.Arn)).toBe(true);
    expect(allowed(activator, 'sqs:ReceiveMessage', one('AWS::SQS::Queue', 'JitrActivatorBufferDeadLetterQueue').attributes.Arn)).toBe(false);
    expect(allowed(activator, 's3:GetObject', `${one('AWS::S3::Bucket', 'JitrVaultBucket').attributes.Arn}/ca.pem`)).toBe(false);
  });

  test('the CA registrator may use the vault (objects and key) and register CAs; the verifier may do neither', () => {
    const registrator = one('AWS::IAM::Role', 'JitrCaRegistratorHandlerRole').attributes.Arn;
    const verifier = one('AWS::IAM::Role', 'AllowListVerifierServiceRole').attributes.Arn;
    const vault = one('AWS::S3::Bucket', 'JitrVaultBucket');
    const logs = one('AWS::S3::Bucket', 'JitrVaultAccessLogs');
    const key = one('AWS::KMS::Key', 'JitrVaultKey');
    expect(allowed(registrator, 's3:PutObject', `${vault.attributes.Arn}/cas/x.json`)).toBe(true);
    expect(allowed(registrator, 's3:PutObject', `${logs.attributes.Arn}/x`)).toBe(false);
    expect(allowed(registrator, 'kms:GenerateDataKey', key.attributes.Arn)).toBe(true);
    expect(allowed(registrator, 'iot:RegisterCACertificate', '*')).toBe(true);
    expect(allowed(registrator, 'iot:DescribeCACertificate', `arn:aws:iot:${REGION}:${ACCOUNT}:cacert/abc`)).toBe(true);
    expect(allowed(registrator, 'iot:DescribeCACertificate', `arn:aws:iot:${REGION}:${ACCOUNT}:cert/abc`)).toBe(false);
    expect(allowed(verifier, 's3:GetObject', `${vault.attributes.Arn}/cas/x.json`)).toBe(false);
    expect(allowed(verifier, 'kms:Decrypt', key.attributes.Arn)).toBe(false);
  });

  test('role names fit 64 characters and the IAM name alphabet', () => {
    for (const role of ofType('AWS::IAM::Role')) {
      expect(role.physicalId).toMatch(/^[\w+=,.@-]{1,64}$/);
      expect(role.physicalId.startsWith('JitrDemo-')).toBe(true);
      expect(role.attributes.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${role.physicalId}`);
    }
  });
});

describe('names and references of the JitrDemo stack', () => {
  test('bucket names are lower case, DNS-compatible and at most 63 characters', () => {
    const buckets = ofType('AWS::S3::Bucket');
    expect(buckets).toHaveLength(2);
    for (const bucket of buckets) {
      expect(bucket.physicalId).toMatch(/^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/);
      expect(bucket.attributes.Arn).toBe(`arn:aws:s3:::${bucket.physicalId}`);
    }
  });

  test("queue URLs and ARNs agree with the queues' names; the buffer queue redrives to the dead-letter queue", () => {
    const queues = ofType('AWS::SQS::Queue');
    expect(queues).toHaveLength(2);
    for (const queue of queues) {
      const name = queue.attributes.QueueName;
      expect(name).toMatch(/^[\w-]{1,80}$/);
      expect(queue.physicalId).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`);
      expect(queue.attributes.QueueUrl).toBe(queue.physicalId);
      expect(queue.attributes.Arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
    }
    const buffer = one('AWS::SQS::Queue', 'JitrActivatorBufferQueue');
    const dlq = one('AWS::SQS::Queue', 'JitrActivatorBufferDeadLetterQueue');
    expect(buffer.properties.RedrivePolicy).toEqual({ deadLetterTargetArn: dlq.attributes.Arn, maxReceiveCount: 5 });
  });

  test('topic rule names have only letters, digits and underscores; the rule sends to the buffer queue by URL', () => {
    const rules = ofType('AWS::IoT::TopicRule');
    expect(rules).toHaveLength(1);
    expect(rules[0].physicalId).toMatch(/^[A-Za-z0-9_]{1,128}$/);
    const payload = rules[0].properties.TopicRulePayload as any;
    expect(payload.Actions[0].Sqs.QueueUrl).toBe(one('AWS::SQS::Queue', 'JitrActivatorBufferQueue').physicalId);
    expect(payload.ErrorAction.Sqs.QueueUrl).toBe(one('AWS::SQS::Queue', 'JitrActivatorBufferDeadLetterQueue').physicalId);
    expect(payload.Actions[0].Sqs.RoleArn).toBe(one('AWS::IAM::Role', 'JitrActivatorTopicRuleRole').attributes.Arn);
  });

  test('the outputs resolve: CaRegisterUrl is the execute-api URL of the API and stage', () => {
    const apiId = one('AWS::ApiGateway::RestApi', 'JitrCaRegistratorApi').physicalId;
    const stage = one('AWS::ApiGateway::Stage', 'JitrCaRegistratorApiDeploymentStage').physicalId;
    expect(apiId).toMatch(/^[a-z0-9]{10}$/);
    expect(stage).toBe('prod');
    expect(stack.outputs.CaRegisterUrl).toBe(`https://${apiId}.execute-api.${REGION}.amazonaws.com/prod/caRegister`);
    expect(stack.outputs.DevicePolicyName).toBe(one('AWS::IoT::Policy', 'JitrDevicePolicy').physicalId);
    expect(stack.outputs.DeadLetterQueueUrl).toBe(one('AWS::SQS::Queue', 'JitrActivatorBufferDeadLetterQueue').physicalId);
    expect(Object.values(stack.outputs).every((value) => !value.includes('undefined') && !value.includes('[object'))).toBe(true);
  });
});

describe('functions of the JitrDemo stack', () => {
  test("the registrator's environment names the vault bucket, key and stack; it runs from its asset with its limits", () => {
    const registrator = definitionOf('JitrCaRegistratorHandlerFunction');
    expect(registrator.environment.VAULT_BUCKET).toBe(one('AWS::S3::Bucket', 'JitrVaultBucket').physicalId);
    expect(registrator.environment.VAULT_KEY_ARN).toBe(one('AWS::KMS::Key', 'JitrVaultKey').attributes.Arn);
    expect(registrator.environment.REGISTRAR_ID).toMatch(/^JitrDemo\/c8[0-9a-f]+$/);
    expect(JSON.parse(registrator.environment.VERIFIER_NAMES)).toEqual(['allowList']);
    expect(registrator.codeDirectory.startsWith(path.join(cdkOut, 'asset.'))).toBe(true);
    expect(fs.existsSync(path.join(registrator.codeDirectory, 'index.js'))).toBe(true);
    expect(registrator).toMatchObject({ handler: 'index.handler', runtime: 'nodejs24.x', timeoutSeconds: 60, memorySizeMb: 512 });
    expect(registrator.role.arn).toBe(one('AWS::IAM::Role', 'JitrCaRegistratorHandlerRole').attributes.Arn);
  });

  test("the activator's VERIFIER_ARNS resolves to the verifier's ARN; DEVICE_POLICY_NAME to the device policy; reserved concurrency 2", () => {
    const activator = definitionOf('JitrActivatorHandlerFunction');
    const verifier = definitionOf('AllowListVerifier');
    expect(JSON.parse(activator.environment.VERIFIER_ARNS)).toEqual({ allowList: verifier.functionArn });
    expect(verifier.functionArn).toBe(one('AWS::Lambda::Function', 'AllowListVerifier').attributes.Arn);
    expect(activator.environment.DEVICE_POLICY_NAME).toBe(one('AWS::IoT::Policy', 'JitrDevicePolicy').physicalId);
    expect(activator.reservedConcurrency).toBe(2);
    expect(activator.role.credentials).toEqual(iam.credentialsFor(activator.role.arn));
    // The verifier has inline code, written out for it.
    expect(fs.readFileSync(path.join(verifier.codeDirectory, 'index.js'), 'utf8')).toContain('handler');
    expect(verifier.environment).toEqual({ ALLOWED_CN_PREFIXES: 'demo-device-' });
  });

  test('the Lambda permissions for API Gateway become resource-policy statements with ArnLike AWS:SourceArn', () => {
    const registrator = definitionOf('JitrCaRegistratorHandlerFunction');
    const apiId = one('AWS::ApiGateway::RestApi', 'JitrCaRegistratorApi').physicalId;
    const sourceArn = (stage: string) => `arn:aws:execute-api:${REGION}:${ACCOUNT}:${apiId}/${stage}/POST/caRegister`;
    const statements = asList<PolicyStatement>(registrator.resourcePolicy?.Statement);
    expect(statements).toHaveLength(2);
    expect(statements.map((statement) => statement.Condition)).toEqual([
      { ArnLike: { 'AWS:SourceArn': sourceArn('prod') } },
      { ArnLike: { 'AWS:SourceArn': sourceArn('test-invoke-stage') } },
    ]);
    for (const statement of statements) {
      expect(statement).toMatchObject({ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: registrator.functionArn });
    }
    const invoke = (arn: string) => iam.authorize({
      principal: servicePrincipal('apigateway.amazonaws.com', ACCOUNT),
      action: 'lambda:InvokeFunction',
      resource: registrator.functionArn,
      resourcePolicy: registrator.resourcePolicy,
      context: { 'aws:SourceArn': arn },
    }).allowed;
    expect(invoke(sourceArn('prod'))).toBe(true);
    expect(invoke(`arn:aws:execute-api:${REGION}:${ACCOUNT}:otherapi01/prod/POST/caRegister`)).toBe(false);
    expect(definitionOf('JitrActivatorHandlerFunction').resourcePolicy).toBeUndefined();
  });
});

describe('services from the JitrDemo stack', () => {
  test('storage: the vault key, the versioned SSE-KMS vault bucket with its policy, the access-log bucket (logging reported)', () => {
    const kms = new LocalKms({ ...TARGET, accessControl: iam });
    const s3 = new LocalS3({ region: REGION });
    const storageNotRun = createStorage(stack.resources, kms, s3);
    const key = one('AWS::KMS::Key', 'JitrVaultKey');
    const vault = s3.bucket(one('AWS::S3::Bucket', 'JitrVaultBucket').physicalId)!;
    const logs = s3.bucket(one('AWS::S3::Bucket', 'JitrVaultAccessLogs').physicalId)!;
    expect(kms.keyArnOf(key.physicalId)).toBe(key.attributes.Arn);
    expect(vault.versioned).toBe(true);
    expect(vault.defaultEncryption).toEqual({ algorithm: 'aws:kms', kmsKeyArn: key.attributes.Arn });
    expect(vault.policy).toEqual(one('AWS::S3::BucketPolicy', 'JitrVaultBucketPolicy').properties.PolicyDocument);
    expect(logs.defaultEncryption).toEqual({ algorithm: 'AES256' });
    expect(storageNotRun).toEqual([`JitrDemo/${one('AWS::S3::Bucket', 'JitrVaultBucket').logicalId}: server access logging is not written locally`]);
    // The registrator may use the key: both its identity policy and the key policy agree.
    const registrator = { arn: one('AWS::IAM::Role', 'JitrCaRegistratorHandlerRole').attributes.Arn, accountId: ACCOUNT };
    expect(kms.generateDataKey(registrator, key.attributes.Arn).keyArn).toBe(key.attributes.Arn);
  });

  test('queues and the event source mapping: created, and refused once the activator role loses sqs:DeleteMessage', () => {
    const queues = new LocalQueues();
    expect(createQueues(queues, stack.resources)).toEqual([]);
    const buffer = queues.byArn(one('AWS::SQS::Queue', 'JitrActivatorBufferQueue').attributes.Arn)!;
    expect(buffer.url).toBe(one('AWS::SQS::Queue', 'JitrActivatorBufferQueue').physicalId);
    expect(buffer.visibilityTimeoutSeconds).toBe(360);
    expect(buffer.deadLetter).toEqual({ targetArn: one('AWS::SQS::Queue', 'JitrActivatorBufferDeadLetterQueue').attributes.Arn, maxReceiveCount: 5 });
    const invoker: LocalFunctionInvoker = {
      find: (name) => definitions.find((fn) => fn.functionName === name || fn.functionArn === name),
      invoke: async () => ({ payload: null, logs: [] }),
    };
    expect(createEventSourceMappings(stack.resources, queues, invoker, iam, ACCOUNT)).toHaveLength(1);

    // The same stack with the activator's default policy missing sqs:DeleteMessage.
    const template = structuredClone(assembly.template) as CfnTemplate & { Resources: Record<string, any> };
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (logicalId.startsWith('JitrActivatorHandlerRoleDefaultPolicy')) {
        for (const statement of resource.Properties.PolicyDocument.Statement) {
          statement.Action = ([] as string[]).concat(statement.Action).filter((action) => action !== 'sqs:DeleteMessage');
        }
      }
    }
    const faulty = resolveStack({ ...assembly, template }, TARGET);
    const faultyIam = new LocalIam(TARGET);
    loadIamFromTemplate(faultyIam, faulty.resources);
    const faultyQueues = new LocalQueues();
    createQueues(faultyQueues, faulty.resources);
    const faultyDefinitions = trackInlineCode(functionsFromTemplate(faulty, faultyIam));
    const faultyInvoker: LocalFunctionInvoker = {
      find: (name) => faultyDefinitions.find((fn) => fn.functionName === name || fn.functionArn === name),
      invoke: async () => ({ payload: null, logs: [] }),
    };
    expect(() => createEventSourceMappings(faulty.resources, faultyQueues, faultyInvoker, faultyIam, ACCOUNT))
      .toThrow(/^JitrDemo\/JitrActivatorHandlerFunctionSqsEventSource\w+: The function execution role does not have permissions to call DeleteMessage on SQS/);
  });

  test('IoT: the device policy is created with its resolved document', async () => {
    const model = new IotModel({ accountId: ACCOUNT, region: REGION, rateLimits: false });
    await createIotRegistryResources(model, stack.resources);
    const policy = one('AWS::IoT::Policy', 'JitrDevicePolicy');
    const created = await model.getPolicy({ policyName: policy.physicalId });
    expect(created.policyArn).toBe(policy.attributes.Arn);
    expect(JSON.parse(created.policyDocument!).Statement[0]).toEqual({
      Action: 'iot:Connect',
      Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } },
      Effect: 'Allow',
      Resource: `arn:aws:iot:${REGION}:${ACCOUNT}:client/\${iot:Connection.Thing.ThingName}`,
    });
  });

  test('what the runner does not run of the stack is its log groups and its alarm, each reported', () => {
    const reported = notRun.filter((sentence) => sentence.startsWith('JitrDemo/'));
    const types = new Set(reported.map((sentence) => /: (AWS::\S+) is not run locally/.exec(sentence)?.[1]));
    expect(types).toEqual(new Set(['AWS::Logs::LogGroup', 'AWS::CloudWatch::Alarm']));
    expect(reported).toHaveLength(ofType('AWS::Logs::LogGroup').length + ofType('AWS::CloudWatch::Alarm').length);
  });
});
