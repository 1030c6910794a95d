/**
 * The CA vault code exactly as the CA registrator Lambda runs it: `new S3Client({})`, configured only by
 * the environment the local Lambda gives it (AWS_ENDPOINT_URL_S3, credentials, region), against a
 * bucket and key built from the JitrDemo template's resources.
 */
import { S3Client } from '@aws-sdk/client-s3';
import { startHarness, type S3Harness } from './harness';
import { CA_FILES, CaVault } from '../../../../lambda-assets/shared/vault/ca-vault';
import type { PolicyDocument } from '../../../../local/runner/iam/types';
import { ACCOUNT_ID, user } from '../kms/fake-access-control';

const registrator = user('JitrDemo-CaRegistratorRole');
const activator = user('JitrDemo-ActivatorRole');
const BUCKET = 'jitrdemo-jitrvaultbucket-1a2b3c';
const BUCKET_ARN = `arn:aws:s3:::${BUCKET}`;
const KEY_ID = '0f9e5087-0000-4000-8000-000000000001';
const KEY_ARN = `arn:aws:kms:us-east-1:${ACCOUNT_ID}:key/${KEY_ID}`;

/** The template's bucket policy, intrinsics resolved. */
const BUCKET_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Deny', Principal: { AWS: '*' }, Action: 's3:*', Resource: [BUCKET_ARN, `${BUCKET_ARN}/*`], Condition: { Bool: { 'aws:SecureTransport': 'false' } } },
    {
      Sid: 'OnlyCaKeyHoldersReadCaPrivateKeys',
      Effect: 'Deny',
      Principal: { AWS: '*' },
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      Resource: `${BUCKET_ARN}/*/ca.private_key.pem`,
      Condition: { ArnNotEquals: { 'aws:PrincipalArn': [registrator.arn] } },
    },
  ],
};

function vaultAs(who: typeof registrator, h: S3Harness): CaVault {
  process.env.AWS_ACCESS_KEY_ID = who.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = who.secretAccessKey;
  process.env.AWS_ENDPOINT_URL_S3 = h.api.url;
  return new CaVault(new S3Client({}), { bucket: BUCKET, prefix: 'cas', kmsKeyArn: KEY_ARN });
}

describe('CaVault against the local S3 and KMS', () => {
  const savedEnv = { ...process.env };
  let h: S3Harness;

  beforeAll(async () => {
    h = await startHarness([registrator, activator]);
    process.env.AWS_REGION = 'us-east-1';
    delete process.env.AWS_PROFILE;
    delete process.env.AWS_SESSION_TOKEN;
    h.kms.createKeyFromResource({
      stackName: 'JitrDemo',
      logicalId: 'JitrVaultKey0F9E5087',
      type: 'AWS::KMS::Key',
      physicalId: KEY_ID,
      attributes: { Arn: KEY_ARN },
      properties: {
        Description: 'Encrypts the CA vault of cdk-iot-security (CA private keys)',
        KeyPolicy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${ACCOUNT_ID}:root` }, Action: 'kms:*', Resource: '*' }] },
      },
    });
    h.s3.createBucketFromResource({
      stackName: 'JitrDemo',
      logicalId: 'JitrVaultBucketCCE20E18',
      type: 'AWS::S3::Bucket',
      physicalId: BUCKET,
      attributes: { Arn: BUCKET_ARN },
      properties: {
        BucketEncryption: { ServerSideEncryptionConfiguration: [{ BucketKeyEnabled: true, ServerSideEncryptionByDefault: { KMSMasterKeyID: KEY_ARN, SSEAlgorithm: 'aws:kms' } }] },
        VersioningConfiguration: { Status: 'Enabled' },
      },
    });
    h.s3.setBucketPolicyFromResource({
      stackName: 'JitrDemo',
      logicalId: 'JitrVaultBucketPolicyC4BFE4DC',
      type: 'AWS::S3::BucketPolicy',
      physicalId: 'p',
      attributes: {},
      properties: { Bucket: BUCKET, PolicyDocument: BUCKET_POLICY },
    });
    // The template's identity policies; the fake cannot evaluate the bucket policy, so its private-key Deny is restated as a rule.
    h.accessControl.rules = [
      { effect: 'Allow', principal: registrator.arn, action: 's3:*Object', resource: `${BUCKET_ARN}/*` },
      { effect: 'Allow', principal: registrator.arn, action: 'kms:Decrypt', resource: KEY_ARN },
      { effect: 'Allow', principal: registrator.arn, action: 'kms:GenerateDataKey', resource: KEY_ARN },
      { effect: 'Allow', principal: activator.arn, action: 's3:GetObject', resource: `${BUCKET_ARN}/*` },
      { effect: 'Allow', principal: activator.arn, action: 'kms:Decrypt', resource: KEY_ARN },
      { effect: 'Deny', principal: activator.arn, action: 's3:GetObject', resource: `${BUCKET_ARN}/*/ca.private_key.pem` },
    ];
  });
  afterAll(async () => {
    process.env = savedEnv;
    await h.api.close();
  });

  test('the registrator writes SSE-KMS files, reads them back and removes them', async () => {
    const vault = vaultAs(registrator, h);
    await vault.putFiles('ca1', { [CA_FILES.certificate]: 'CERT', [CA_FILES.privateKey]: 'KEY', [CA_FILES.metadata]: '{"a":1}' });

    const stored = h.s3.bucket(BUCKET)!.current('cas/ca1/ca.private_key.pem')!;
    expect(stored).toMatchObject({ contentType: 'application/x-pem-file', sealing: { algorithm: 'aws:kms', kmsKeyArn: KEY_ARN } });
    expect(stored.versionId).not.toBe('null');
    expect(h.accessControl.requests.find((r) => r.action === 's3:PutObject')).toMatchObject({
      resourcePolicy: BUCKET_POLICY,
      context: { 's3:x-amz-server-side-encryption': 'aws:kms', 's3:x-amz-server-side-encryption-aws-kms-key-id': KEY_ARN, 'aws:SecureTransport': 'true' },
    });

    expect(await vault.readFile('ca1', CA_FILES.privateKey)).toBe('KEY');
    expect(await vault.readFile('ca1', CA_FILES.metadata)).toBe('{"a":1}');

    await vault.removeFiles('ca1', [CA_FILES.certificate, CA_FILES.privateKey, CA_FILES.metadata]);
    // Versioned bucket: delete markers hide the files (NoSuchKey, which the vault reads as absent).
    expect(await vault.readFile('ca1', CA_FILES.privateKey)).toBeUndefined();
  });

  test('another role reads certificates but not private keys', async () => {
    await vaultAs(registrator, h).putFiles('ca2', { [CA_FILES.certificate]: 'CERT2', [CA_FILES.privateKey]: 'KEY2' });
    const vault = vaultAs(activator, h);
    expect(await vault.readFile('ca2', CA_FILES.certificate)).toBe('CERT2');
    await expect(vault.readFile('ca2', CA_FILES.privateKey)).rejects.toMatchObject({ name: 'AccessDenied' });
  });

  test('reading a file never written is AccessDenied without s3:ListBucket, as in AWS (the vault does not map it to absent)', async () => {
    await expect(vaultAs(registrator, h).readFile('never', CA_FILES.certificate)).rejects.toMatchObject({ name: 'AccessDenied' });
  });
});
