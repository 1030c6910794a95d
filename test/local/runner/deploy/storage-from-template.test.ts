import { ACCOUNT, byLogicalId, lambdaRole, REGION, resolved, stackOf } from './support';
import { loadIamFromTemplate } from '../../../../local/runner/deploy/iam-from-template';
import { resolveStack, type ResolvedStack } from '../../../../local/runner/deploy/resolve-stack';
import { createStorage } from '../../../../local/runner/deploy/storage-from-template';
import { LocalIam } from '../../../../local/runner/iam';
import { KmsError, LocalKms } from '../../../../local/runner/kms';
import { LocalS3, S3Error } from '../../../../local/runner/s3';

function deployStorage(stack: ResolvedStack) {
  const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
  loadIamFromTemplate(iam, stack.resources);
  const kms = new LocalKms({ accountId: ACCOUNT, region: REGION, accessControl: iam });
  const s3 = new LocalS3({ region: REGION });
  const notRun = createStorage(stack.resources, kms, s3);
  return { iam, kms, s3, notRun };
}

const keyPolicyFor = (roleLogicalId: string, actions: string[]) => ({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { AWS: { 'Fn::GetAtt': [roleLogicalId, 'Arn'] } }, Action: actions, Resource: '*' }],
});

describe('createStorage: KMS keys', () => {
  test('a key is created under its physical id and ARN, with its description and key policy', () => {
    const stack = resolved({
      User: lambdaRole(),
      Stranger: lambdaRole(),
      Key: { Type: 'AWS::KMS::Key', Properties: { Description: 'vault key', KeyPolicy: keyPolicyFor('User', ['kms:Encrypt', 'kms:DescribeKey']) } },
    });
    const { kms, notRun } = deployStorage(stack);
    expect(notRun).toEqual([]);
    const key = byLogicalId(stack, 'Key');
    expect(kms.keyArnOf(key.physicalId)).toBe(key.attributes.Arn);
    expect(kms.keyArnOf(key.attributes.Arn)).toBe(key.attributes.Arn);
    const user = { arn: byLogicalId(stack, 'User').attributes.Arn, accountId: ACCOUNT };
    const stranger = { arn: byLogicalId(stack, 'Stranger').attributes.Arn, accountId: ACCOUNT };
    expect(kms.describeKey(user, key.physicalId)).toMatchObject({ keyId: key.physicalId, arn: key.attributes.Arn, description: 'vault key', enabled: true });
    // The key policy grants the user, and nobody else (neither role has an identity policy).
    expect(kms.encrypt(user, key.physicalId, Buffer.from('secret')).keyArn).toBe(key.attributes.Arn);
    expect(() => kms.encrypt(stranger, key.physicalId, Buffer.from('secret'))).toThrow(KmsError);
  });

  test('a key the template disables (Enabled: false) is disabled locally too', () => {
    const stack = resolved({
      User: lambdaRole(),
      Key: { Type: 'AWS::KMS::Key', Properties: { Enabled: false, KeyPolicy: keyPolicyFor('User', ['kms:*']) } },
    });
    const { kms } = deployStorage(stack);
    const key = byLogicalId(stack, 'Key');
    const user = { arn: byLogicalId(stack, 'User').attributes.Arn, accountId: ACCOUNT };
    expect(kms.describeKey(user, key.physicalId).enabled).toBe(false);
    expect(() => kms.encrypt(user, key.physicalId, Buffer.from('x'))).toThrow(expect.objectContaining({ code: 'DisabledException' }));
  });

  test("in another partition the key's ARN is still its Arn attribute", () => {
    const stack = resolveStack(stackOf({ Key: { Type: 'AWS::KMS::Key', Properties: {} } }), { accountId: ACCOUNT, region: 'cn-north-1', partition: 'aws-cn' });
    const key = byLogicalId(stack, 'Key');
    expect(key.attributes.Arn).toMatch(/^arn:aws-cn:kms:cn-north-1:/);
    expect(deployStorage(stack).kms.keyArnOf(key.physicalId)).toBe(key.attributes.Arn);
  });

  test('an asymmetric key is reported and not created; SYMMETRIC_DEFAULT is', () => {
    const stack = resolved({
      Signing: { Type: 'AWS::KMS::Key', Properties: { KeySpec: 'ECC_NIST_P256', KeyUsage: 'SIGN_VERIFY' } },
      Symmetric: { Type: 'AWS::KMS::Key', Properties: { KeySpec: 'SYMMETRIC_DEFAULT' } },
    });
    const { kms, notRun } = deployStorage(stack);
    expect(notRun).toEqual(['TestStack/Signing: KMS key spec ECC_NIST_P256 is not modelled locally (symmetric keys only)']);
    expect(kms.keyArnOf(byLogicalId(stack, 'Signing').physicalId)).toBeUndefined();
    expect(kms.keyArnOf(byLogicalId(stack, 'Symmetric').physicalId)).toBe(byLogicalId(stack, 'Symmetric').attributes.Arn);
  });
});

describe('createStorage: S3 buckets', () => {
  test('a bucket is created under its physical name and ARN, with versioning and SSE-KMS default encryption by its key', () => {
    const stack = resolved({
      Key: { Type: 'AWS::KMS::Key', Properties: {} },
      Vault: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          VersioningConfiguration: { Status: 'Enabled' },
          BucketEncryption: {
            ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: { 'Fn::GetAtt': ['Key', 'Arn'] } } }],
          },
        },
      },
    });
    const { s3 } = deployStorage(stack);
    const vault = byLogicalId(stack, 'Vault');
    const bucket = s3.bucket(vault.physicalId)!;
    expect(bucket).toBeDefined();
    expect(bucket.arn).toBe(vault.attributes.Arn);
    expect(bucket.versioned).toBe(true);
    expect(bucket.defaultEncryption).toEqual({ algorithm: 'aws:kms', kmsKeyArn: byLogicalId(stack, 'Key').attributes.Arn });
  });

  test('SSE-KMS without a key id uses the AWS managed key (no key ARN); AES256; no encryption; suspended versioning', () => {
    const stack = resolved({
      ManagedKey: {
        Type: 'AWS::S3::Bucket',
        Properties: { BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms' } }] } },
      },
      Sse: {
        Type: 'AWS::S3::Bucket',
        Properties: {
          VersioningConfiguration: { Status: 'Suspended' },
          BucketEncryption: { ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }] },
        },
      },
      Plain: { Type: 'AWS::S3::Bucket', Properties: {} },
    });
    const { s3 } = deployStorage(stack);
    const bucket = (logicalId: string) => s3.bucket(byLogicalId(stack, logicalId).physicalId)!;
    expect(bucket('ManagedKey').defaultEncryption).toEqual({ algorithm: 'aws:kms' });
    expect(bucket('Sse').defaultEncryption).toEqual({ algorithm: 'AES256' });
    expect(bucket('Sse').versioned).toBe(false);
    expect(bucket('Plain').defaultEncryption).toBeUndefined();
    expect(bucket('Plain').versioned).toBe(false);
    expect(s3.bucketNames().sort()).toEqual(['ManagedKey', 'Sse', 'Plain'].map((id) => byLogicalId(stack, id).physicalId).sort());
  });

  test('server access logging is reported as not written', () => {
    const stack = resolved({
      Logs: { Type: 'AWS::S3::Bucket', Properties: {} },
      Vault: { Type: 'AWS::S3::Bucket', Properties: { LoggingConfiguration: { DestinationBucketName: { Ref: 'Logs' }, LogFilePrefix: 'vault/' } } },
    });
    expect(deployStorage(stack).notRun).toEqual(['TestStack/Vault: server access logging is not written locally']);
  });

  test('a bucket policy is set on the bucket it names, in any template order', () => {
    const document = {
      Version: '2012-10-17',
      Statement: [{
        Effect: 'Deny',
        Principal: { AWS: '*' },
        Action: 's3:*',
        Resource: [{ 'Fn::GetAtt': ['Vault', 'Arn'] }, { 'Fn::Join': ['', [{ 'Fn::GetAtt': ['Vault', 'Arn'] }, '/*']] }],
        Condition: { Bool: { 'aws:SecureTransport': 'false' } },
      }],
    };
    const stack = resolved({
      Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: { Ref: 'Vault' }, PolicyDocument: document } },
      Vault: { Type: 'AWS::S3::Bucket', Properties: {} },
      Other: { Type: 'AWS::S3::Bucket', Properties: {} },
    });
    const { s3 } = deployStorage(stack);
    const vault = byLogicalId(stack, 'Vault');
    expect(s3.bucket(vault.physicalId)!.policy).toEqual({
      ...document,
      Statement: [{ ...document.Statement[0], Resource: [vault.attributes.Arn, `${vault.attributes.Arn}/*`] }],
    });
    expect(s3.bucket(byLogicalId(stack, 'Other').physicalId)!.policy).toBeUndefined();
  });

  test('a bucket policy for a bucket that is not in the stack fails as S3 does (NoSuchBucket)', () => {
    const stack = resolved({ Policy: { Type: 'AWS::S3::BucketPolicy', Properties: { Bucket: 'elsewhere', PolicyDocument: { Statement: [] } } } });
    expect(() => deployStorage(stack)).toThrow(S3Error);
    expect(() => deployStorage(stack)).toThrow(expect.objectContaining({ code: 'NoSuchBucket' }));
  });
});
