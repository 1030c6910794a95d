/**
 * Secrets Manager through the stack runner: a hand-written cloud assembly with a customer KMS key, a generated
 * secret (SecretStringTemplate + GenerateStringKey, encrypted with the key), a named secret with a resource policy,
 * and functions that read them over AWS_ENDPOINT_URL_SECRETS_MANAGER with their role's credentials (@aws-sdk/client-secrets-manager).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { secretsClient } from './secrets-client';
import { startStackRunner, type RunningStacks } from '../../../../local/runner/stack-runner';
import { RUNNER_ACCOUNT, role, trustFor, writeCloudAssembly } from '../../support/hand-written-assembly';

const STACK = 'Secrets';

/** Reads `event.secretId` with @aws-sdk/client-secrets-manager (endpoint and credentials from Lambda's environment); answers the string or the error. */
const READER_CODE = `
const { SecretsManagerClient, GetSecretValueCommand } = require('@aws-sdk/client-secrets-manager');
const client = new SecretsManagerClient({ maxAttempts: 1 });
exports.handler = async (event) => {
  try {
    const output = await client.send(new GetSecretValueCommand({ SecretId: event.secretId || process.env.SECRET_ARN }));
    return { value: output.SecretString, arn: output.ARN };
  } catch (error) {
    return { error: error.name, message: error.message };
  }
};
`;

function readerFunction(roleId: string, environment: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    Type: 'AWS::Lambda::Function',
    Properties: {
      Code: { ZipFile: READER_CODE },
      Handler: 'index.handler',
      Runtime: 'nodejs20.x',
      Timeout: 10,
      Role: { 'Fn::GetAtt': [roleId, 'Arn'] },
      Environment: { Variables: { SECRET_ARN: { Ref: 'GeneratedSecret' }, ...environment } },
    },
  };
}

let runner: RunningStacks;
let assembly: string;
let state: string;

beforeAll(async () => {
  const rootAllowed = { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${RUNNER_ACCOUNT}:root` }, Action: 'kms:*', Resource: '*' };
  assembly = writeCloudAssembly(STACK, {
    Key: { Type: 'AWS::KMS::Key', Properties: { KeyPolicy: { Version: '2012-10-17', Statement: [rootAllowed] } } },
    GeneratedSecret: {
      Type: 'AWS::SecretsManager::Secret',
      Properties: {
        KmsKeyId: { 'Fn::GetAtt': ['Key', 'Arn'] },
        GenerateSecretString: { SecretStringTemplate: '{"username":"gateway"}', GenerateStringKey: 'password', PasswordLength: 24, ExcludePunctuation: true },
      },
    },
    NamedSecret: { Type: 'AWS::SecretsManager::Secret', Properties: { Name: 'gateway/tokens', SecretString: '["token-a","token-b"]', Description: 'tokens' } },
    NamedSecretPolicy: {
      Type: 'AWS::SecretsManager::ResourcePolicy',
      Properties: {
        SecretId: { Ref: 'NamedSecret' },
        ResourcePolicy: {
          Version: '2012-10-17',
          Statement: [{ Effect: 'Deny', Principal: { AWS: { 'Fn::GetAtt': ['BarredRole', 'Arn'] } }, Action: 'secretsmanager:GetSecretValue', Resource: '*' }],
        },
      },
    },
    ReaderRole: role(trustFor('lambda.amazonaws.com'), [
      { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: [{ Ref: 'GeneratedSecret' }, { Ref: 'NamedSecret' }] },
      { Effect: 'Allow', Action: 'kms:Decrypt', Resource: { 'Fn::GetAtt': ['Key', 'Arn'] } },
    ]),
    NoDecryptRole: role(trustFor('lambda.amazonaws.com'), [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }]),
    BarredRole: role(trustFor('lambda.amazonaws.com'), [{ Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' }]),
    Reader: readerFunction('ReaderRole'),
    NoDecrypt: readerFunction('NoDecryptRole'),
    Barred: readerFunction('BarredRole'),
  }, { SecretArn: { Value: { Ref: 'GeneratedSecret' } } });
  state = mkdtempSync(join(tmpdir(), 'secrets-runner-state-'));
  runner = await startStackRunner({ cloudAssemblies: [assembly], stateDirectory: state, rateLimits: false });
}, 60_000);

afterAll(async () => {
  await runner?.close();
  rmSync(assembly, { recursive: true, force: true });
  rmSync(state, { recursive: true, force: true });
});

const invoke = async (logicalId: string, event: Record<string, unknown> = {}) => {
  const result = await runner.functions.invoke(runner.resource(STACK, logicalId).physicalId, event);
  expect(result.functionError).toBeUndefined();
  return result.payload as { value?: string; arn?: string; error?: string; message?: string };
};

test('Ref of a secret is its ARN with the 6-character suffix; a generated name is <logical id>-<12 characters>', () => {
  const generated = runner.resource(STACK, 'GeneratedSecret');
  expect(generated.physicalId).toMatch(/^arn:aws:secretsmanager:us-east-1:123456789012:secret:GeneratedSecret-[A-Z0-9]{12}-[A-Za-z0-9]{6}$/);
  expect(generated.attributes.Id).toBe(generated.physicalId);
  expect(runner.resource(STACK, 'NamedSecret').physicalId).toMatch(/:secret:gateway\/tokens-[A-Za-z0-9]{6}$/);
  expect(runner.stacks[0].outputs.SecretArn).toBe(generated.physicalId);
  expect(runner.endpoints.SECRETS_MANAGER).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  expect(runner.notRun.filter((sentence) => sentence.includes('Secret'))).toEqual([]);
});

test('a function reads the generated secret (template JSON with the password under GenerateStringKey) through the KMS key', async () => {
  const read = await invoke('Reader');
  expect(read.arn).toBe(runner.resource(STACK, 'GeneratedSecret').physicalId);
  const value = JSON.parse(read.value!);
  expect(value).toEqual({ username: 'gateway', password: expect.stringMatching(/^[A-Za-z0-9]{24}$/) });
  expect((await invoke('Reader', { secretId: 'gateway/tokens' })).value).toBe('["token-a","token-b"]');
});

test('without kms:Decrypt on the customer key the read is refused; the secret\'s resource policy denies a role', async () => {
  expect(await invoke('NoDecrypt')).toMatchObject({ error: 'AccessDeniedException', message: expect.stringMatching(/^Access to KMS is not allowed/) });
  // The managed aws/secretsmanager key needs no kms permission of the caller.
  expect((await invoke('NoDecrypt', { secretId: 'gateway/tokens' })).value).toBe('["token-a","token-b"]');
  expect(await invoke('Barred', { secretId: 'gateway/tokens' }))
    .toMatchObject({ error: 'AccessDeniedException', message: expect.stringContaining('with an explicit deny in a resource-based policy') });
});

test('the admin user reaches the same secrets at RunningStacks.endpoints.SECRETS_MANAGER', async () => {
  const admin = secretsClient(runner.endpoints.SECRETS_MANAGER, runner.adminCredentials);
  const described = await admin('DescribeSecret', { SecretId: runner.resource(STACK, 'GeneratedSecret').physicalId });
  expect(described.KmsKeyId).toBe(runner.resource(STACK, 'Key').attributes.Arn);
  expect(described.Name).toBe(runner.resource(STACK, 'GeneratedSecret').attributes.Name);
  expect((await admin('DescribeSecret', { SecretId: 'gateway/tokens' })).Description).toBe('tokens');
});
