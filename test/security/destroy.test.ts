/**
 * `cdk destroy` removes everything a stack of ours owns: every resource of every construct's
 * template (and of every demo stack) has DeletionPolicy Delete, every bucket is emptied before
 * CloudFormation deletes it, every KMS key gets its waiting period, and every function logs to a
 * log group the stack owns (a group Lambda makes at run time would outlive the stack).
 * RETAIN is a prop away, and then exactly the data is kept: vault, logs, ledger, archive.
 */
import { App, RemovalPolicy, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { CsrApiDemoStack, GatewayDemoStack } from '../../demo/api/app';
import { FleetDemoStack } from '../../demo/fleet/app';
import { JitpDemoStack } from '../../demo/jitp/app';
import { JitrDemoStack } from '../../demo/jitr/app';
import { CaKeyStorage, CaVault, JitpTemplateDelivery } from '../../src';
import { csrApiStack } from '../support/csr-api-stack';
import { fleetStack } from '../support/fleet-stack';
import { gatewayStack } from '../support/gateway-stack';
import { jitpStack } from '../support/jitp-stack';
import { jitrStack } from '../support/jitr-stack';

type Resources = Record<string, { Type: string; Properties?: any; DeletionPolicy?: string; UpdateReplacePolicy?: string }>;

/** The test stacks' verifiers are the user's functions, outside the constructs: their logging is the user's to choose. */
const USER_FUNCTIONS = /^(AllowListVerifier|SerialVerifier)[0-9A-F]{8}$/;
/** aws-cdk-lib's own auto-delete-objects function (a CfnResource, not an L2): it has no log group option. Documented in doc/security-review.md. */
const AUTO_DELETE_PROVIDER = /^CustomS3AutoDeleteObjectsCustomResourceProviderHandler/;

const resourcesOf = (stack: Stack): Resources => Template.fromStack(stack).toJSON().Resources;

const CONSTRUCT_STACKS: Array<[string, () => Stack]> = [
  ['JustInTimeRegistration', () => jitrStack().stack],
  ['JustInTimeProvision (managed template)', () => jitpStack().stack],
  ['JustInTimeProvision (template body on the CA)', () => jitpStack({ templateDelivery: JitpTemplateDelivery.CA_TEMPLATE_BODY }).stack],
  // CA keys in KMS are made at run time by the registrator, outside CloudFormation: a custom resource schedules their deletion (below).
  ['JustInTimeRegistration (CA keys in KMS)', () => jitrStack((scope) => ({
    caKeyStorage: CaKeyStorage.KMS, caKeySigners: [iam.Role.fromRoleArn(scope, 'Signer', 'arn:aws:iam::111122223333:role/signer', { mutable: false })],
  })).stack],
  ['JustInTimeProvision (CA keys in KMS)', () => jitpStack({ caKeyStorage: CaKeyStorage.KMS }).stack],
  ['FleetProvision (claim certificate)', () => fleetStack().stack],
  ['FleetProvision (Greengrass, no claim)', () => fleetStack({ greengrass: {}, claimCertificateCount: 0 }).stack],
  ['CsrProvisioningApi', () => csrApiStack().stack],
  ['RegistrationGateway (archive)', () => gatewayStack().stack],
  ['RegistrationGateway (no archive)', () => gatewayStack({ archiveRegistryEvents: false }).stack],
];
const DEMO_STACKS: Array<[string, () => Stack]> = [
  ['demo JitrDemo', () => new JitrDemoStack(new App(), 'JitrDemo')],
  ['demo JitpDemo', () => new JitpDemoStack(new App(), 'JitpDemo')],
  ['demo FleetDemo', () => new FleetDemoStack(new App(), 'FleetDemo')],
  ['demo CsrApiDemo', () => new CsrApiDemoStack(new App(), 'CsrApiDemo')],
  ['demo GatewayDemo', () => new GatewayDemoStack(new App(), 'GatewayDemo')],
];

describe.each([...CONSTRUCT_STACKS, ...DEMO_STACKS])('%s, default props: cdk destroy leaves nothing', (_name, makeStack) => {
  const resources = resourcesOf(makeStack());

  test('every resource is deleted with the stack, and replaced ones too (DeletionPolicy and UpdateReplacePolicy Delete or unset)', () => {
    const kept = Object.entries(resources)
      .filter(([, resource]) => ![undefined, 'Delete'].includes(resource.DeletionPolicy) || ![undefined, 'Delete'].includes(resource.UpdateReplacePolicy))
      .map(([id, resource]) => `${id} (${resource.Type}): ${resource.DeletionPolicy}/${resource.UpdateReplacePolicy}`);
    expect(kept).toEqual([]);
  });

  test('every bucket is emptied before CloudFormation deletes it (aws-cdk-lib auto-delete-objects)', () => {
    const buckets = Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::S3::Bucket').map(([id]) => id);
    const emptied = Object.values(resources).filter((resource) => resource.Type === 'Custom::S3AutoDeleteObjects')
      .map((resource) => resource.Properties.BucketName.Ref);
    expect(emptied.sort()).toEqual(buckets.sort());
  });

  test('every KMS key waits 30 days before it is gone (a deletion can be cancelled meanwhile)', () => {
    for (const key of Object.values(resources).filter((resource) => resource.Type === 'AWS::KMS::Key')) {
      expect(key.Properties.PendingWindowInDays).toBe(30);
    }
  });

  test('every function of ours logs to a log group the stack owns', () => {
    const logGroups = new Set(Object.entries(resources).filter(([, resource]) => resource.Type === 'AWS::Logs::LogGroup').map(([id]) => id));
    const unowned = Object.entries(resources)
      .filter(([id, resource]) => resource.Type === 'AWS::Lambda::Function' && !USER_FUNCTIONS.test(id) && !AUTO_DELETE_PROVIDER.test(id))
      .filter(([, resource]) => !logGroups.has(resource.Properties.LoggingConfig?.LogGroup?.Ref))
      .map(([id]) => id);
    expect(unowned).toEqual([]);
  });
});

test.each([
  ['JustInTimeRegistration', () => jitrStack((scope) => ({
    caKeyStorage: CaKeyStorage.KMS, caKeySigners: [iam.Role.fromRoleArn(scope, 'Signer', 'arn:aws:iam::111122223333:role/signer', { mutable: false })],
  })).stack],
  ['JustInTimeProvision', () => jitpStack({ caKeyStorage: CaKeyStorage.KMS }).stack],
])('%s with CA keys in KMS: the keys the registrator made at run time go too (a custom resource schedules their deletion before the vault is emptied)', (_name, makeStack) => {
  const resources = resourcesOf(makeStack());
  const deletions = Object.values(resources).filter((resource) => resource.Type === 'Custom::KmsCaKeyDeletion');
  expect(deletions).toHaveLength(1);
  const autoDelete = Object.entries(resources).filter(([, resource]) => resource.Type === 'Custom::S3AutoDeleteObjects').map(([id]) => id);
  expect((deletions[0] as { DependsOn?: string[] }).DependsOn?.filter((id) => autoDelete.includes(id))).toHaveLength(1);
});

/** Logical ids of the resources whose DeletionPolicy is Retain. */
function retained(stack: Stack): string[] {
  return Object.entries(resourcesOf(stack)).filter(([, resource]) => resource.DeletionPolicy === 'Retain').map(([id]) => id).sort();
}

function ofTypes(stack: Stack, ...types: string[]): string[] {
  return Object.entries(resourcesOf(stack)).filter(([, resource]) => types.includes(resource.Type)).map(([id]) => id).sort();
}

describe('RETAIN keeps the data, and only the data', () => {
  test.each([
    ['JustInTimeRegistration', () => jitrStack({ removalPolicy: RemovalPolicy.RETAIN }).stack],
    ['JustInTimeProvision', () => jitpStack({ removalPolicy: RemovalPolicy.RETAIN }).stack],
    ['FleetProvision', () => fleetStack({ removalPolicy: RemovalPolicy.RETAIN }).stack],
    ['CsrProvisioningApi', () => csrApiStack({ removalPolicy: RemovalPolicy.RETAIN }).stack],
    ['RegistrationGateway', () => gatewayStack({ removalPolicy: RemovalPolicy.RETAIN }).stack],
  ])('%s with removalPolicy RETAIN: buckets, keys and log groups kept, nothing emptied, everything else deleted', (_name, makeStack) => {
    const stack = makeStack();
    expect(retained(stack)).toEqual(ofTypes(stack, 'AWS::S3::Bucket', 'AWS::KMS::Key', 'AWS::Logs::LogGroup'));
    expect(retained(stack).length).toBeGreaterThan(0);
    expect(ofTypes(stack, 'Custom::S3AutoDeleteObjects')).toEqual([]);
  });

  test.each([
    ['JustInTimeRegistration', () => jitrStack({ vault: { removalPolicy: RemovalPolicy.RETAIN } }).stack, 'JitrVault'],
    ['JustInTimeProvision', () => jitpStack({ vault: { removalPolicy: RemovalPolicy.RETAIN } }).stack, 'JitpVault'],
    ['FleetProvision', () => fleetStack({ vault: { removalPolicy: RemovalPolicy.RETAIN } }).stack, 'FleetVault'],
  ])('%s with vault.removalPolicy RETAIN (the production setting): the vault kept, its logs and everything else deleted', (_name, makeStack, vault) => {
    const stack = makeStack();
    expect(retained(stack)).toEqual(ofTypes(stack, 'AWS::S3::Bucket', 'AWS::KMS::Key'));
    expect(retained(stack).every((id) => id.startsWith(vault))).toBe(true);
    expect(ofTypes(stack, 'Custom::S3AutoDeleteObjects')).toEqual([]);
  });

  test('vault.removalPolicy DESTROY wins over the construct\'s RETAIN for the vault', () => {
    const { stack } = jitrStack({ removalPolicy: RemovalPolicy.RETAIN, vault: { removalPolicy: RemovalPolicy.DESTROY } });
    expect(retained(stack)).toEqual(ofTypes(stack, 'AWS::Logs::LogGroup'));
    expect(ofTypes(stack, 'Custom::S3AutoDeleteObjects')).toHaveLength(2);
  });

  test('a bucket and key you bring are never changed: no auto-delete, their own removal policy', () => {
    const { stack } = jitrStack((scope) => ({
      vault: {
        bucket: new s3.Bucket(scope, 'MyBucket', { removalPolicy: RemovalPolicy.RETAIN, enforceSSL: true }),
        encryptionKey: new kms.Key(scope, 'MyKey', { removalPolicy: RemovalPolicy.RETAIN, enableKeyRotation: true }),
      },
    }));
    expect(retained(stack)).toEqual(ofTypes(stack, 'AWS::S3::Bucket', 'AWS::KMS::Key'));
    expect(retained(stack).every((id) => id.startsWith('My'))).toBe(true);
    expect(ofTypes(stack, 'Custom::S3AutoDeleteObjects')).toEqual([]);
  });

  test('a CaVault of its own: DESTROY by default, RETAIN on request', () => {
    const destroyed = new Stack(new App(), 'VaultStack');
    new CaVault(destroyed, 'Vault');
    expect(retained(destroyed)).toEqual([]);
    expect(ofTypes(destroyed, 'Custom::S3AutoDeleteObjects')).toHaveLength(2);
    const kept = new Stack(new App(), 'VaultStack');
    new CaVault(kept, 'Vault', { removalPolicy: RemovalPolicy.RETAIN });
    expect(retained(kept)).toEqual(ofTypes(kept, 'AWS::S3::Bucket', 'AWS::KMS::Key'));
  });

  test.each([
    ['removalPolicy', () => jitrStack({ removalPolicy: RemovalPolicy.SNAPSHOT })],
    ['vault.removalPolicy', () => fleetStack({ vault: { removalPolicy: RemovalPolicy.SNAPSHOT } })],
    ['removalPolicy', () => gatewayStack({ removalPolicy: RemovalPolicy.SNAPSHOT })],
    ['removalPolicy', () => csrApiStack({ removalPolicy: RemovalPolicy.SNAPSHOT })],
  ])('SNAPSHOT is refused, naming %s and the choices', (prop, make) => {
    expect(make).toThrow(new RegExp(`^${prop.replace('.', '\\.')}: RemovalPolicy.SNAPSHOT does not apply .* DESTROY \\(the default\\) or RETAIN$`));
  });
});

describe('the vault stays a vault while it can be emptied', () => {
  const resources = resourcesOf(jitrStack().stack);
  const vaultPolicy = Object.values(resources)
    .find((resource) => resource.Type === 'AWS::S3::BucketPolicy' && resource.Properties.Bucket.Ref.startsWith('JitrVaultBucket'))!;
  const statements: any[] = vaultPolicy.Properties.PolicyDocument.Statement;

  test('the auto-delete role may list and delete object versions (all of them, private keys included) but never read an object', () => {
    const autoDelete = statements.filter((statement) => JSON.stringify(statement.Principal).includes('CustomS3AutoDeleteObjects'));
    expect(autoDelete).toHaveLength(1);
    const actions: string[] = [].concat(autoDelete[0].Action);
    expect(actions).toEqual(expect.arrayContaining(['s3:DeleteObject*', 's3:List*']));
    expect(actions.filter((action) => /^s3:(GetObject|\*)/.test(action))).toEqual([]);
  });

  test('the private-key fence still denies everyone but the CA registrator', () => {
    const fence = statements.find((statement) => statement.Sid === 'OnlyCaKeyHoldersReadCaPrivateKeys');
    expect(fence).toMatchObject({ Effect: 'Deny', Action: ['s3:GetObject', 's3:GetObjectVersion'] });
  });
});
