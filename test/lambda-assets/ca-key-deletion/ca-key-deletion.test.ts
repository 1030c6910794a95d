import { KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import { GetBucketTaggingCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { mockClient } from 'aws-sdk-client-mock';
import { awsError, BUCKET, caId, keyArn, LOGICAL_ID, mockVault, record, resourceEvent, scheduled, VAULT_ENV } from './support';
import { onKeyDeletionEvent } from '../../../lambda-assets/ca-key-deletion/ca-key-deletion';
import { createLogger } from '../../../lambda-assets/shared/logging/logger';
import { captureLogs } from '../token-authorizer/support';

const s3 = mockClient(S3Client);
const kms = mockClient(KMSClient);
let handler: (event: CloudFormationCustomResourceEvent, context?: Context) => Promise<unknown>;
let logs: ReturnType<typeof captureLogs>;

beforeAll(() => {
  Object.assign(process.env, VAULT_ENV);
  const module = jest.requireActual<typeof import('../../../lambda-assets/ca-key-deletion')>('../../../lambda-assets/ca-key-deletion');
  handler = (event, context) => module.handler(event, context);
});
afterAll(() => {
  s3.restore();
  kms.restore();
});
beforeEach(() => {
  s3.reset();
  kms.reset();
  kms.on(ScheduleKeyDeletionCommand).callsFake((input: { KeyId: string }) => ({ KeyId: input.KeyId, DeletionDate: new Date('2030-01-31T00:00:00Z') }));
  logs = captureLogs();
});
afterEach(() => logs.restore());

const decisions = () => logs.lines().filter((line) => typeof line.keyArn === 'string' || line.message === 'CA key record skipped')
  .map((line) => ({ message: line.message, caCertificateId: line.caCertificateId, outcome: line.outcome }));

describe('Create and Update', () => {
  test.each(['Create', 'Update'] as const)('%s touches nothing and answers the stable physical id', async (type) => {
    await expect(handler(resourceEvent(type))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });
    expect(s3.calls()).toHaveLength(0);
    expect(kms.calls()).toHaveLength(0);
  });
});

describe('Delete while the stack is deleted (the vault bucket\'s tag names this resource)', () => {
  test('every record across the ListObjectsV2 pages gets one ScheduleKeyDeletion of 30 days; CAs without a record and claims/ are left alone', async () => {
    mockVault(s3, [[caId('a'), caId('b'), 'claims'], [caId('c')]], {
      [`${caId('a')}/ca.kms_key.json`]: record('a'),
      [`${caId('c')}/ca.kms_key.json`]: record('c'),
      // CA b keeps its key in the vault (no ca.kms_key.json): nothing in KMS to delete.
    });

    await expect(handler(resourceEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });

    expect(scheduled(kms)).toEqual([
      { KeyId: keyArn('a'), PendingWindowInDays: 30 },
      { KeyId: keyArn('c'), PendingWindowInDays: 30 },
    ]);
    expect(s3.commandCalls(ListObjectsV2Command).map((call) => call.args[0].input)).toEqual([
      { Bucket: BUCKET, Delimiter: '/' },
      { Bucket: BUCKET, Delimiter: '/', ContinuationToken: 'page-1' },
    ]);
    // Only CA folders are read (claims/ is not named by a certificate id).
    expect(s3.commandCalls(GetObjectCommand).map((call) => call.args[0].input.Key))
      .toEqual([caId('a'), caId('b'), caId('c')].map((id) => `${id}/ca.kms_key.json`));
    expect(logs.lines().find((line) => line.message === 'CA keys of the vault handled'))
      .toMatchObject({ 'scheduled': 2, 'already-pending': 0, 'skipped': 0, 'failed': 0 });
  });

  test('a vault prefix: the listing and the records are under it', async () => {
    s3.on(GetBucketTaggingCommand).resolves({ TagSet: [{ Key: 'cdk-iot-security:ca-keys-deleted-by', Value: LOGICAL_ID }] });
    s3.on(ListObjectsV2Command).resolves({ CommonPrefixes: [{ Prefix: `ca-vault/${caId('e')}/` }, { Prefix: 'ca-vault/claims/' }] });
    s3.on(GetObjectCommand, { Key: `ca-vault/${caId('e')}/ca.kms_key.json` }).resolves({ Body: { transformToString: async () => record('e') } as any });
    const deps = { s3: new S3Client({}), kms: new KMSClient({}), vault: { bucket: BUCKET, prefix: 'ca-vault' }, logger: createLogger() };

    await onKeyDeletionEvent(deps, resourceEvent('Delete'));

    expect(s3.commandCalls(ListObjectsV2Command)[0].args[0].input).toEqual({ Bucket: BUCKET, Prefix: 'ca-vault/', Delimiter: '/' });
    expect(scheduled(kms)).toEqual([{ KeyId: keyArn('e'), PendingWindowInDays: 30 }]);
  });

  test('a key already pending deletion (KMSInvalidStateException) or gone (NotFoundException) counts as done: the Delete succeeds', async () => {
    mockVault(s3, [[caId('a'), caId('b'), caId('c')]], {
      [`${caId('a')}/ca.kms_key.json`]: record('a'),
      [`${caId('b')}/ca.kms_key.json`]: record('b'),
      [`${caId('c')}/ca.kms_key.json`]: record('c'),
    });
    kms.on(ScheduleKeyDeletionCommand, { KeyId: keyArn('a') }).rejects(awsError('KMSInvalidStateException', `${keyArn('a')} is pending deletion.`));
    kms.on(ScheduleKeyDeletionCommand, { KeyId: keyArn('b') }).rejects(awsError('NotFoundException'));

    await expect(handler(resourceEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });

    expect(scheduled(kms).map((input) => input.KeyId)).toEqual([keyArn('a'), keyArn('b'), keyArn('c')]);
    expect(decisions()).toEqual([
      { message: 'CA key already on its way out', caCertificateId: caId('a'), outcome: 'already-pending' },
      { message: 'CA key already on its way out', caCertificateId: caId('b'), outcome: 'not-found' },
      { message: 'CA key scheduled for deletion', caCertificateId: caId('c'), outcome: undefined },
    ]);
  });

  test('a key this stack may not touch (AccessDenied: another registrar\'s tag) and a malformed record are logged and skipped; the others are deleted', async () => {
    mockVault(s3, [[caId('a'), caId('b'), caId('c')]], {
      [`${caId('a')}/ca.kms_key.json`]: record('a'),
      [`${caId('b')}/ca.kms_key.json`]: '{"keyArn": "not an ARN"}',
      [`${caId('c')}/ca.kms_key.json`]: record('c'),
    });
    kms.on(ScheduleKeyDeletionCommand, { KeyId: keyArn('a') }).rejects(awsError('AccessDeniedException', 'not authorized to perform kms:ScheduleKeyDeletion'));

    await expect(handler(resourceEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });

    expect(scheduled(kms).map((input) => input.KeyId)).toEqual([keyArn('a'), keyArn('c')]);
    expect(decisions()).toEqual([
      { message: 'CA key skipped', caCertificateId: caId('a'), outcome: 'skipped' },
      { message: 'CA key record skipped', caCertificateId: caId('b'), outcome: undefined },
      { message: 'CA key scheduled for deletion', caCertificateId: caId('c'), outcome: undefined },
    ]);
    expect(logs.raw()).not.toMatch(/PRIVATE KEY/);
  });

  test('a key still throttled after the SDK\'s retries fails the Delete, after every other key is scheduled; deleting again finishes it', async () => {
    mockVault(s3, [[caId('a'), caId('b')]], { [`${caId('a')}/ca.kms_key.json`]: record('a'), [`${caId('b')}/ca.kms_key.json`]: record('b') });
    kms.on(ScheduleKeyDeletionCommand, { KeyId: keyArn('a') }).rejects(awsError('ThrottlingException', 'Rate exceeded'));

    await expect(handler(resourceEvent('Delete'))).rejects.toThrow(/^1 CA key\(s\) could not be scheduled for deletion .*delete the stack again to retry them$/);
    expect(scheduled(kms).map((input) => input.KeyId)).toEqual([keyArn('a'), keyArn('b')]);

    // CloudFormation's retry of the Delete: a is scheduled now, b (already pending) counts as done.
    kms.reset();
    kms.on(ScheduleKeyDeletionCommand, { KeyId: keyArn('b') }).rejects(awsError('KMSInvalidStateException'));
    kms.on(ScheduleKeyDeletionCommand, { KeyId: keyArn('a') }).resolves({ KeyId: keyArn('a') });
    await expect(handler(resourceEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });
  });

  test('S3 failing (listing or a record) fails the Delete: without the records the keys could never be found again', async () => {
    mockVault(s3, [[caId('a'), caId('b')]], { [`${caId('b')}/ca.kms_key.json`]: record('b') });
    s3.on(GetObjectCommand, { Key: `${caId('a')}/ca.kms_key.json` }).rejects(awsError('InternalError', 'We encountered an internal error'));
    await expect(handler(resourceEvent('Delete'))).rejects.toThrow(/1 CA key\(s\) could not be scheduled/);
    expect(scheduled(kms).map((input) => input.KeyId)).toEqual([keyArn('b')]);

    s3.on(ListObjectsV2Command).rejects(awsError('ServiceUnavailable', 'Please reduce your request rate'));
    await expect(handler(resourceEvent('Delete'))).rejects.toThrow('Please reduce your request rate');
  });
});

describe('Delete while the stack stays (the tag does not name this resource)', () => {
  test.each([
    ['no tag: vault.removalPolicy turned to RETAIN (or caKeyStorage to VAULT), or the update that added the resource rolled back', { rejects: awsError('NoSuchTagSet') }],
    ['the tag names another logical id: the resource was replaced', { resolves: { TagSet: [{ Key: 'cdk-iot-security:ca-keys-deleted-by', Value: 'Renamed1234' }] } }],
    ['the bucket is already gone: no record is left to name a key', { rejects: awsError('NoSuchBucket') }],
  ])('%s: no key is touched, the Delete succeeds', async (_case, tagging) => {
    mockVault(s3, [[caId('a')]], { [`${caId('a')}/ca.kms_key.json`]: record('a') });
    if ('rejects' in tagging) s3.on(GetBucketTaggingCommand).rejects(tagging.rejects);
    else s3.on(GetBucketTaggingCommand).resolves(tagging.resolves);

    await expect(handler(resourceEvent('Delete'))).resolves.toEqual({ PhysicalResourceId: 'kms-ca-key-deletion' });
    expect(s3.commandCalls(ListObjectsV2Command)).toHaveLength(0);
    expect(kms.calls()).toHaveLength(0);
    expect(logs.lines().find((line) => line.message === 'CA keys kept')).toBeDefined();
  });

  test('the tag cannot be read (AccessDenied): the Delete fails rather than guess', async () => {
    s3.on(GetBucketTaggingCommand).rejects(awsError('AccessDenied'));
    await expect(handler(resourceEvent('Delete'))).rejects.toThrow('AccessDenied');
    expect(kms.calls()).toHaveLength(0);
  });
});
