/**
 * `cdk destroy` of a stack whose CA keys live in AWS KMS, on the stack runner, nothing of ours
 * mocked: the stack's CA registrator makes two CA keys in the local KMS (POST /caRegister), the
 * runner deletes the stack as CloudFormation would (custom resources' Delete, dependents first),
 * and the real KMS client then finds both keys PendingDeletion, 30 days out (cancellable), while the
 * vault's records of them were still there to be read.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DescribeKeyCommand, KMSClient } from '@aws-sdk/client-kms';
import { GetObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { CfnOutput, Stack } from 'aws-cdk-lib';
import { signedRequest } from '../../cli/src/aws/signed-request';
import type { StackDeletionReport } from '../../local/runner/custom-resources';
import { startStackRunner, type RunningStacks } from '../../local/runner/stack-runner';
import { CaKeyStorage, JustInTimeProvision } from '../../src';
import { synthesizeDemo } from '../demo/support/jitr-demo-assembly';

jest.setTimeout(180_000);

const STACK = 'KmsDestroy';
const DAY_MS = 24 * 60 * 60 * 1000;
let cdkOut: string;
let work: string;
let runner: RunningStacks;
let kms: KMSClient;
let s3: S3Client;
let keyArns: string[];
let report: StackDeletionReport;
let deletedAt: number;
let statesBefore: (string | undefined)[];

beforeAll(async () => {
  cdkOut = synthesizeDemo('kms-destroy', (app) => {
    const stack = new Stack(app, STACK);
    const jitp = new JustInTimeProvision(stack, 'Jitp', { caKeyStorage: CaKeyStorage.KMS });
    new CfnOutput(stack, 'CaRegisterUrl', { value: jitp.api.urlForPath('/caRegister') });
    new CfnOutput(stack, 'VaultBucket', { value: jitp.vault.bucket.bucketName });
  });
  work = mkdtempSync(join(tmpdir(), 'cdk-iot-security-kms-destroy-'));
  runner = await startStackRunner({ cloudAssemblies: [cdkOut], stateDirectory: join(work, 'cloud') });
  const config = { region: runner.region, credentials: runner.adminCredentials };
  kms = new KMSClient({ ...config, endpoint: runner.endpoints.KMS, maxAttempts: 1 });
  s3 = new S3Client({ ...config, endpoint: runner.endpoints.S3, forcePathStyle: true });
  const outputs = runner.stacks.find((stack) => stack.stackName === STACK)!.outputs;
  keyArns = [];
  for (const [keyAlgorithm, commonName] of [['ECDSA-P256', 'Destroy EC CA'], ['RSA-2048', 'Destroy RSA CA']]) {
    const answer = await signedRequest(runner.localUrl(outputs.CaRegisterUrl), {
      method: 'POST',
      region: runner.region,
      credentials: runner.adminCredentials,
      body: JSON.stringify({ keyAlgorithm, csrSubjects: { commonName } }),
    });
    if (answer.status !== 200) throw new Error(`caRegister: ${answer.status} ${answer.text}`);
    const object = await s3.send(new GetObjectCommand({ Bucket: outputs.VaultBucket, Key: `${answer.json.caCertificateId}/ca.kms_key.json` }));
    keyArns.push(JSON.parse(await object.Body!.transformToString()).keyArn);
  }
  statesBefore = [];
  for (const KeyId of keyArns) statesBefore.push((await kms.send(new DescribeKeyCommand({ KeyId }))).KeyMetadata?.KeyState);
  deletedAt = Date.now();
  report = await runner.deleteStacks();
}, 180_000);

afterAll(async () => {
  for (const client of [kms, s3]) client?.destroy();
  await runner?.close();
  for (const dir of [cdkOut, work]) if (dir) rmSync(dir, { recursive: true, force: true });
});

test('before the stack was deleted both CA keys were in use (Enabled), made by the stack at run time', () => {
  expect(new Set(keyArns).size).toBe(2);
  expect(statesBefore).toEqual(['Enabled', 'Enabled']);
});

test('the stack\'s deletion ran the CA key deletion resource\'s Delete, and nothing failed', () => {
  expect(report.failed).toEqual([]);
  expect(report.deleted.map((resource) => `${resource.stackName} ${resource.resourceType}`)).toContain(`${STACK} Custom::KmsCaKeyDeletion`);
});

test('each CA key is PendingDeletion, deleted 30 days from now: an operator can still cancel', async () => {
  for (const keyArn of keyArns) {
    const { KeyMetadata } = await kms.send(new DescribeKeyCommand({ KeyId: keyArn }));
    expect({ keyArn, state: KeyMetadata!.KeyState, enabled: KeyMetadata!.Enabled }).toEqual({ keyArn, state: 'PendingDeletion', enabled: false });
    const daysAhead = (KeyMetadata!.DeletionDate!.getTime() - deletedAt) / DAY_MS;
    expect(daysAhead).toBeGreaterThan(29.99);
    expect(daysAhead).toBeLessThan(30.01);
  }
});
