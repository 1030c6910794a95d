/**
 * The custom resource that deletes the KMS-held CA keys with the stack: there exactly when the
 * vault's own bucket goes with the stack, deleted before that bucket is emptied, tagged onto the
 * bucket so only a stack deletion sets it off, and allowed to schedule the deletion of this
 * construct's keys only (by their registrar tag, with the 30-day waiting period).
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CaKeyStorage, CaRegistrator, CaVault } from '../../src';
import { jitpStack } from '../support/jitp-stack';
import { jitrStack, statementsOfRole } from '../support/jitr-stack';

const signer = (scope: Stack) => [iam.Role.fromRoleArn(scope, 'Signer', 'arn:aws:iam::111122223333:role/signer', { mutable: false })];
type Resources = Record<string, { Type: string; Properties: any; DependsOn?: string[] }>;
const resourcesOf = (template: Template): Resources => template.toJSON().Resources;
const ofType = (resources: Resources, type: string) => Object.entries(resources).filter(([, resource]) => resource.Type === type);

describe.each([
  ['JustInTimeRegistration', () => jitrStack((scope) => ({ caKeyStorage: CaKeyStorage.KMS, caKeySigners: signer(scope) })).template(), 'JitrVaultBucket'],
  ['JustInTimeProvision', () => jitpStack({ caKeyStorage: CaKeyStorage.KMS }).template(), 'JitpVaultBucket'],
])('%s with CaKeyStorage.KMS and the default removalPolicy (DESTROY)', (_name, synth, bucketPrefix) => {
  const template = synth();
  const resources = resourcesOf(template);
  const [[deletionId, deletion]] = ofType(resources, 'Custom::KmsCaKeyDeletion');
  const [bucketId, bucket] = ofType(resources, 'AWS::S3::Bucket').find(([id]) => id.startsWith(bucketPrefix))!;
  const onEvent = ofType(resources, 'AWS::Lambda::Function').find(([, fn]) => fn.Properties.Description?.startsWith('On stack deletion, schedules'))!;
  const roleId: string = onEvent[1].Properties.Role['Fn::GetAtt'][0];
  const statements = statementsOfRole(template, roleId);

  test('one resource, deleted before the vault bucket, its bucket policy and its auto-delete-objects resource, and before its own permissions', () => {
    expect(ofType(resources, 'Custom::KmsCaKeyDeletion')).toHaveLength(1);
    const [autoDeleteId] = ofType(resources, 'Custom::S3AutoDeleteObjects').find(([, resource]) => resource.Properties.BucketName.Ref === bucketId)!;
    const [bucketPolicyId] = ofType(resources, 'AWS::S3::BucketPolicy').find(([, resource]) => resource.Properties.Bucket.Ref === bucketId)!;
    const [accessPolicyId] = ofType(resources, 'AWS::IAM::Policy').find(([, policy]) => policy.Properties.Roles.some((role: any) => role.Ref === roleId)
      && JSON.stringify(policy.Properties.PolicyDocument).includes('kms:ScheduleKeyDeletion'))!;
    expect(deletion.DependsOn).toEqual(expect.arrayContaining([bucketId, autoDeleteId, bucketPolicyId, accessPolicyId]));
  });

  test('the vault bucket\'s tag names the resource (the handler acts only when it does: on stack deletion)', () => {
    expect(bucket.Properties.Tags).toContainEqual({ Key: 'cdk-iot-security:ca-keys-deleted-by', Value: deletionId });
  });

  test('the function reads the vault bucket, its tag and the ca.kms_key.json records only (decrypting with the vault key)', () => {
    expect(onEvent[1].Properties.Environment.Variables).toEqual({ VAULT_BUCKET: { Ref: bucketId }, VAULT_PREFIX: '' });
    const s3Statements = statements.filter((statement) => [].concat(statement.Action).some((action: string) => action.startsWith('s3:')));
    expect(s3Statements).toEqual([
      { Effect: 'Allow', Action: ['s3:GetBucketTagging', 's3:ListBucket'], Resource: { 'Fn::GetAtt': [bucketId, 'Arn'] } },
      { Effect: 'Allow', Action: 's3:GetObject', Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*/ca.kms_key.json']] } },
    ]);
    const decrypt = statements.find((statement) => statement.Action === 'kms:Decrypt')!;
    expect(decrypt.Resource['Fn::GetAtt'][0]).toMatch(/VaultKey/);
  });

  test('it may schedule the deletion only of keys tagged with this construct\'s registrar id, only with the 30-day waiting period', () => {
    const kmsActions = statements.flatMap((statement) => [].concat(statement.Action)).filter((action: string) => action.startsWith('kms:')).sort();
    expect(kmsActions).toEqual(['kms:Decrypt', 'kms:ScheduleKeyDeletion']);
    const registrarId = Object.values(resources).find((resource) => resource.Type === 'AWS::Lambda::Function'
      && resource.Properties.Environment?.Variables?.DEFAULT_CA_VALIDITY_DAYS)!.Properties.Environment.Variables.REGISTRAR_ID;
    expect(statements.find((statement) => statement.Action === 'kms:ScheduleKeyDeletion')).toEqual({
      Effect: 'Allow',
      Action: 'kms:ScheduleKeyDeletion',
      Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':kms:eu-west-1:111122223333:key/*']] },
      Condition: {
        StringEquals: { 'aws:ResourceTag/cdk-iot-security:registrar': registrarId },
        NumericEquals: { 'kms:ScheduleKeyDeletionPendingWindowInDays': 30 },
      },
    });
    expect(JSON.stringify(registrarId)).toContain('AWS::StackName');
  });
});

describe('no resource, so no key is ever deleted, where the vault does not go with the stack', () => {
  const deletions = (template: Template) => ofType(resourcesOf(template), 'Custom::KmsCaKeyDeletion');
  const tagged = (template: Template) => JSON.stringify(template.toJSON()).includes('cdk-iot-security:ca-keys-deleted-by');

  test.each([
    ['CaKeyStorage.VAULT (the default): the keys are vault files', () => jitrStack().template()],
    ['removalPolicy RETAIN', () => jitpStack({ caKeyStorage: CaKeyStorage.KMS, removalPolicy: RemovalPolicy.RETAIN }).template()],
    ['vault.removalPolicy RETAIN', () => jitpStack({ caKeyStorage: CaKeyStorage.KMS, vault: { removalPolicy: RemovalPolicy.RETAIN } }).template()],
    ['a bucket you bring (never changed, its records kept)', () => jitrStack((scope) => ({
      caKeyStorage: CaKeyStorage.KMS, caKeySigners: signer(scope), vault: { bucket: new s3.Bucket(scope, 'MyBucket', { enforceSSL: true }) },
    })).template()],
  ])('%s', (_case, synth) => {
    const template = synth();
    expect(deletions(template)).toEqual([]);
    expect(tagged(template)).toBe(false);
  });

  test('vault.removalPolicy DESTROY under a construct RETAIN: the vault goes, so the keys do', () => {
    const template = jitpStack({
      caKeyStorage: CaKeyStorage.KMS, removalPolicy: RemovalPolicy.RETAIN, vault: { removalPolicy: RemovalPolicy.DESTROY },
    }).template();
    expect(deletions(template)).toHaveLength(1);
  });
});

test('a CaRegistrator of its own with KMS keys and its own CaVault gets the resource too, for its registrar id', () => {
  const stack = new Stack(new App(), 'Registrator', { env: { account: '111122223333', region: 'eu-west-1' } });
  const vault = new CaVault(stack, 'Vault');
  new CaRegistrator(stack, 'Registrator', { vault, registrarId: 'factory-7', caKeyStorage: CaKeyStorage.KMS, caKeySigners: signer(stack) });
  const template = Template.fromStack(stack);
  expect(ofType(resourcesOf(template), 'Custom::KmsCaKeyDeletion')).toHaveLength(1);
  expect(JSON.stringify(template.toJSON())).toContain('"aws:ResourceTag/cdk-iot-security:registrar":"factory-7"');
});
