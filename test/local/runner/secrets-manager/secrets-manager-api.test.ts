import { secretsClient } from './secrets-client';
import type { ServedLocally } from '../../../../local/runner/http/serve-locally';
import { LocalIam } from '../../../../local/runner/iam';
import { LocalKms } from '../../../../local/runner/kms';
import { LocalSecretsManager, startSecretsManagerApi } from '../../../../local/runner/secrets-manager';

const ACCOUNT = '123456789012';
const READER = `arn:aws:iam::${ACCOUNT}:role/reader`;
const WRITER = `arn:aws:iam::${ACCOUNT}:role/writer`;
const NOBODY = `arn:aws:iam::${ACCOUNT}:role/nobody`;
const SECRET_ARN_PATTERN = /^arn:aws:secretsmanager:us-east-1:123456789012:secret:(.+)-[A-Za-z0-9]{6}$/;

describe('Secrets Manager API', () => {
  const iam = new LocalIam({ accountId: ACCOUNT, region: 'us-east-1' });
  const kms = new LocalKms({ accessControl: iam });
  const secrets = new LocalSecretsManager({ kms, accessControl: iam });
  const customerKey = kms.createKey({ description: 'secrets key' });
  let api: ServedLocally;
  let admin: ReturnType<typeof secretsClient>;

  const client = (roleArn: string) => secretsClient(api.url, iam.credentialsFor(roleArn));

  beforeAll(async () => {
    iam.addRole(READER, [{ Statement: [{ Effect: 'Allow', Action: ['secretsmanager:GetSecretValue', 'secretsmanager:DescribeSecret'], Resource: '*' }] }]);
    iam.addRole(WRITER, [{ Statement: [{ Effect: 'Allow', Action: 'secretsmanager:PutSecretValue', Resource: '*' }] }]);
    iam.addRole(NOBODY);
    api = await startSecretsManagerApi({ secrets, accessControl: iam });
    admin = secretsClient(api.url, iam.adminCredentials());
  });
  afterAll(() => api.close());

  test('CreateSecret, GetSecretValue and DescribeSecret by name, ARN and partial ARN', async () => {
    const created = await admin('CreateSecret', { Name: 'app/token', SecretString: '{"token":"t0"}', Description: 'the token', ClientRequestToken: 'a'.repeat(32) });
    expect(created.ARN).toMatch(SECRET_ARN_PATTERN);
    expect(created).toMatchObject({ Name: 'app/token', VersionId: 'a'.repeat(32) });

    for (const id of ['app/token', created.ARN, created.ARN.slice(0, -7)]) {
      const value = await client(READER)('GetSecretValue', { SecretId: id });
      expect(value).toMatchObject({ ARN: created.ARN, Name: 'app/token', SecretString: '{"token":"t0"}', VersionStages: ['AWSCURRENT'] });
      expect(value.CreatedDate).toBeInstanceOf(Date);
    }
    const described = await client(READER)('DescribeSecret', { SecretId: 'app/token' });
    expect(described).toMatchObject({
      ARN: created.ARN, Name: 'app/token', Description: 'the token', RotationEnabled: false, VersionIdsToStages: { ['a'.repeat(32)]: ['AWSCURRENT'] },
    });
    expect(described.KmsKeyId).toBeUndefined();
    expect(described.LastAccessedDate.getTime() % 86_400_000).toBe(0);
    // The managed key was made on first use.
    expect(kms.keyArnOf('alias/aws/secretsmanager')).toBeDefined();
  });

  test('PutSecretValue moves AWSCURRENT and AWSPREVIOUS; a repeated token is idempotent, a changed value under it is refused', async () => {
    await admin('CreateSecret', { Name: 'rotating', SecretString: 'v1' });
    const v2 = await client(WRITER)('PutSecretValue', { SecretId: 'rotating', SecretString: 'v2', ClientRequestToken: 'b'.repeat(32) });
    expect(v2).toMatchObject({ Name: 'rotating', VersionId: 'b'.repeat(32), VersionStages: ['AWSCURRENT'] });
    expect((await client(READER)('GetSecretValue', { SecretId: 'rotating' })).SecretString).toBe('v2');
    expect((await client(READER)('GetSecretValue', { SecretId: 'rotating', VersionStage: 'AWSPREVIOUS' })).SecretString).toBe('v1');

    const again = await client(WRITER)('PutSecretValue', { SecretId: 'rotating', SecretString: 'v2', ClientRequestToken: 'b'.repeat(32) });
    expect(again.VersionId).toBe('b'.repeat(32));
    await expect(client(WRITER)('PutSecretValue', { SecretId: 'rotating', SecretString: 'v3', ClientRequestToken: 'b'.repeat(32) }))
      .rejects.toMatchObject({ name: 'ResourceExistsException' });

    await client(WRITER)('PutSecretValue', { SecretId: 'rotating', SecretString: 'v3' });
    const stages = (await client(READER)('DescribeSecret', { SecretId: 'rotating' })).VersionIdsToStages as Record<string, string[]>;
    expect(Object.values(stages).sort()).toEqual([['AWSCURRENT'], ['AWSPREVIOUS']]);
    expect(stages['b'.repeat(32)]).toEqual(['AWSPREVIOUS']);
    expect((await client(READER)('GetSecretValue', { SecretId: 'rotating', VersionId: 'b'.repeat(32) })).SecretString).toBe('v2');
  });

  test('SecretBinary round-trips base64', async () => {
    await admin('CreateSecret', { Name: 'binary', SecretBinary: Buffer.from([0, 1, 2, 255]) });
    const value = await client(READER)('GetSecretValue', { SecretId: 'binary' });
    expect(value.SecretString).toBeUndefined();
    expect(Buffer.from(value.SecretBinary)).toEqual(Buffer.from([0, 1, 2, 255]));
  });

  test('AWS error types: ResourceNotFoundException, ResourceExistsException, AccessDeniedException (all 400)', async () => {
    await expect(admin('GetSecretValue', { SecretId: 'missing' }))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: "Secrets Manager can't find the specified secret.", $metadata: { httpStatusCode: 400 } });
    await admin('CreateSecret', { Name: 'dup', SecretString: 'x' });
    await expect(admin('CreateSecret', { Name: 'dup', SecretString: 'x' })).rejects.toMatchObject({ name: 'ResourceExistsException' });
    await expect(admin('GetSecretValue', { SecretId: 'dup', VersionStage: 'AWSPENDING' }))
      .rejects.toMatchObject({ name: 'ResourceNotFoundException', message: expect.stringContaining('staging label: AWSPENDING') });
    const denied = client(NOBODY)('GetSecretValue', { SecretId: 'dup' });
    await expect(denied).rejects.toMatchObject({ name: 'AccessDeniedException', $metadata: { httpStatusCode: 400 } });
    await expect(denied).rejects.toThrow(/not authorized to perform: secretsmanager:GetSecretValue on resource: arn:aws:secretsmanager:/);
    // Without access, an unknown secret is denied too: the caller learns nothing.
    await expect(client(NOBODY)('DescribeSecret', { SecretId: 'missing' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
    await expect(client(READER)('PutSecretValue', { SecretId: 'dup', SecretString: 'y' })).rejects.toMatchObject({ name: 'AccessDeniedException' });
  });

  test('a customer key: the caller needs kms:Decrypt on it (through Secrets Manager), as on AWS', async () => {
    await admin('CreateSecret', { Name: 'cmk-secret', SecretString: 'guarded', KmsKeyId: customerKey.arn });
    expect((await admin('DescribeSecret', { SecretId: 'cmk-secret' })).KmsKeyId).toBe(customerKey.arn);
    await expect(client(READER)('GetSecretValue', { SecretId: 'cmk-secret' }))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/^Access to KMS is not allowed.*kms:Decrypt/) });

    const decrypter = `arn:aws:iam::${ACCOUNT}:role/decrypter`;
    iam.addRole(decrypter, [{
      Statement: [
        { Effect: 'Allow', Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        {
          Effect: 'Allow',
          Action: 'kms:Decrypt',
          Resource: customerKey.arn,
          Condition: { StringEquals: { 'kms:ViaService': 'secretsmanager.us-east-1.amazonaws.com' } },
        },
      ],
    }]);
    expect((await client(decrypter)('GetSecretValue', { SecretId: 'cmk-secret' })).SecretString).toBe('guarded');
    // Writing a version needs kms:GenerateDataKey, which the writer lacks.
    await expect(client(WRITER)('PutSecretValue', { SecretId: 'cmk-secret', SecretString: 'new' }))
      .rejects.toMatchObject({ name: 'AccessDeniedException', message: expect.stringMatching(/^Access to KMS is not allowed.*kms:GenerateDataKey/) });
  });

  test('the secret\'s resource policy counts: an explicit Deny wins, an Allow suffices for a role without identity policy', async () => {
    const { ARN } = await admin('CreateSecret', { Name: 'with-policy', SecretString: 's' });
    await admin('PutResourcePolicy', {
      SecretId: ARN,
      ResourcePolicy: JSON.stringify({
        Version: '2012-10-17',
        Statement: [
          { Effect: 'Deny', Principal: { AWS: READER }, Action: 'secretsmanager:GetSecretValue', Resource: '*' },
          { Effect: 'Allow', Principal: { AWS: NOBODY }, Action: 'secretsmanager:GetSecretValue', Resource: '*' },
        ],
      }),
    });
    await expect(client(READER)('GetSecretValue', { SecretId: ARN })).rejects.toThrow(/explicit deny in a resource-based policy/);
    expect((await client(NOBODY)('GetSecretValue', { SecretId: ARN })).SecretString).toBe('s');
    expect(JSON.parse((await admin('GetResourcePolicy', { SecretId: ARN })).ResourcePolicy).Statement).toHaveLength(2);
  });

  test('GetRandomPassword follows the options', async () => {
    const { RandomPassword } = await admin('GetRandomPassword', { PasswordLength: 20, ExcludePunctuation: true, ExcludeCharacters: 'aA0' });
    expect(RandomPassword).toMatch(/^[B-Zb-z1-9]{20}$/);
    expect(RandomPassword).toMatch(/[B-Z]/);
    expect(RandomPassword).toMatch(/[b-z]/);
    expect(RandomPassword).toMatch(/[1-9]/);
  });

  test('signatures are checked, and unknown operations refused', async () => {
    const wrong = secretsClient(api.url, { ...iam.credentialsFor(READER), secretAccessKey: 'wrong' });
    await expect(wrong('DescribeSecret', { SecretId: 'x' })).rejects.toMatchObject({ $metadata: { httpStatusCode: 403 } });
    const unsigned = await fetch(api.url, { method: 'POST', headers: { 'x-amz-target': 'secretsmanager.GetSecretValue' }, body: '{}' });
    expect(unsigned.status).toBe(403);
    await expect(admin('RotateSecret', { SecretId: 'x' })).rejects.toMatchObject({ name: 'UnknownOperationException' });
  });
});
