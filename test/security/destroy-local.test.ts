/**
 * `cdk destroy` of the demo stacks, on the stack runner: deleteStacks() sends every custom
 * resource its Delete, as CloudFormation does, and then the test does through the local AWS IoT
 * API what CloudFormation does next with the stacks' own IoT resources (DeletePolicy,
 * DeleteProvisioningTemplate). The stacks leave nothing of theirs behind: no claim certificate, no
 * claim key in the vault, no policy, no template; a second Delete of each custom resource is a
 * no-op. Two things are as documented in doc/security-review.md: a device policy that devices hold
 * cannot be deleted until it is detached from them (DeleteConflictException, on AWS too), and the
 * account-wide THING registry events stay on.
 */
import { createHash } from 'node:crypto';
import { rmSync } from 'node:fs';
import {
  DeletePolicyCommand,
  DeleteProvisioningTemplateCommand,
  DescribeCertificateCommand,
  DescribeEventConfigurationsCommand,
  DetachPolicyCommand,
  GetPolicyCommand,
  ListAttachedPoliciesCommand,
  ListCertificatesCommand,
  ListProvisioningTemplatesCommand,
} from '@aws-sdk/client-iot';
import { call, DemoCloud, startDemoCloud } from './support/bad-input';
import { BadPki } from './support/bad-pki';
import type { StackDeletionReport } from '../../local/runner/custom-resources';
import { synthesizeApiDemo } from '../demo/support/api-demo-assembly';
import { synthesizeFleetDemo } from '../demo/support/fleet-demo-assembly';
import { synthesizeJitpDemo } from '../demo/support/jitp-demo-assembly';
import { synthesizeJitrDemo } from '../demo/support/jitr-demo-assembly';

jest.setTimeout(180_000);

const pki = new BadPki();
const cdkOuts: string[] = [];
let cloud: DemoCloud;
let claimCertificateId: string;
let deviceCertificateId: string;
let report: StackDeletionReport;
let policiesOfStacks: string[];
let templatesOfStacks: string[];

beforeAll(async () => {
  cdkOuts.push(synthesizeJitrDemo(), synthesizeJitpDemo(), synthesizeFleetDemo(), synthesizeApiDemo());
  cloud = await startDemoCloud(cdkOuts);
  const { runner } = cloud;
  claimCertificateId = cloud.outputs('FleetDemo').ClaimCertificateId;
  policiesOfStacks = runner.resourcesOfType('AWS::IoT::Policy').map((policy) => policy.physicalId).sort();
  templatesOfStacks = runner.resourcesOfType('AWS::IoT::ProvisioningTemplate').map((template) => template.physicalId).sort();
  // A device onboarded while the stacks lived: a thing and a certificate holding CsrApiDemo's device policy.
  const outputs = cloud.outputs('CsrApiDemo');
  const csr = pki.csr(['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'], '/CN=destroy-sensor-1');
  const answer = await call(runner.localUrl(outputs.ProvisionDeviceUrl), JSON.stringify({ ThingName: 'destroy-sensor-1', CSR: Buffer.from(csr).toString('base64') }), {
    signing: { as: runner.iam.credentialsFor(outputs.FactoryLineRoleArn) }, region: runner.region,
  });
  if (answer.status !== 200) throw new Error(`provisioning failed: ${answer.status} ${answer.text}`);
  deviceCertificateId = answer.json.certificateId;
  report = await runner.deleteStacks();
}, 300_000);

afterAll(async () => {
  await cloud?.close();
  pki.dispose();
  for (const out of cdkOuts) rmSync(out, { recursive: true, force: true });
});

test('every custom resource of the demo stacks is deleted: none kept (no DeletionPolicy Retain), none failed', () => {
  expect(report.failed).toEqual([]);
  expect(report.retained).toEqual([]);
  expect(report.deleted.map((resource) => `${resource.stackName} ${resource.resourceType}`).sort())
    .toEqual(['FleetDemo Custom::IotClaimCertificate', 'GatewayDemo Custom::IotRegistryEvents']);
});

test('the claim certificate is gone from AWS IoT, and its certificate and key from the vault', async () => {
  await expect(cloud.iot.send(new DescribeCertificateCommand({ certificateId: claimCertificateId }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  const vault = cloud.runner.s3.bucket(cloud.outputs('FleetDemo').VaultBucket)!;
  expect(vault.listCurrent().filter((object) => object.key.startsWith('claims/'))).toEqual([]);
});

test('a second Delete of each custom resource changes nothing and succeeds (idempotent), as CloudFormation\'s retries need', async () => {
  const { runner } = cloud;
  const before = JSON.stringify((await cloud.iot.send(new ListCertificatesCommand({}))).certificates);
  for (const deleted of report.deleted) {
    const framework = runner.resourcesOfType('AWS::Lambda::Function').find((fn) => fn.stackName === deleted.stackName
      && String((fn.properties.Environment as any)?.Variables?.USER_ON_EVENT_FUNCTION_ARN ?? '').length > 0
      && (deleted.resourceType === 'Custom::IotClaimCertificate' ? fn.logicalId.startsWith('FleetClaimCertificates') : fn.logicalId.startsWith('GatewayRegistryEvents')))!;
    const onEvent = String((framework.properties.Environment as any).Variables.USER_ON_EVENT_FUNCTION_ARN);
    const result = await runner.functions.invoke(onEvent, {
      RequestType: 'Delete',
      ServiceToken: framework.attributes.Arn,
      ResponseURL: 'https://cloudformation-custom-resource-response.example/x',
      StackId: `arn:aws:cloudformation:${runner.region}:${runner.accountId}:stack/${deleted.stackName}/x`,
      RequestId: createHash('sha256').update(deleted.logicalId).digest('hex'),
      LogicalResourceId: deleted.logicalId,
      PhysicalResourceId: deleted.physicalId,
      ResourceType: deleted.resourceType,
      ResourceProperties: { ServiceToken: framework.attributes.Arn },
    });
    expect({ resource: deleted.resourceType, error: result.error }).toEqual({ resource: deleted.resourceType, error: undefined });
    expect(result.payload).toMatchObject({ PhysicalResourceId: deleted.physicalId });
  }
  expect(JSON.stringify((await cloud.iot.send(new ListCertificatesCommand({}))).certificates)).toBe(before);
});

test('documented: THING registry events stay on after the gateway stack is gone (an account-wide setting others may rely on)', async () => {
  const { eventConfigurations } = await cloud.iot.send(new DescribeEventConfigurationsCommand({}));
  expect(eventConfigurations?.THING?.Enabled).toBe(true);
});

test('documented: CloudFormation cannot delete a device policy that devices hold (DeleteConflictException) until it is detached from them', async () => {
  const devicePolicy = cloud.outputs('CsrApiDemo').DevicePolicyName;
  await expect(cloud.iot.send(new DeletePolicyCommand({ policyName: devicePolicy }))).rejects.toMatchObject({ name: 'DeleteConflictException' });
  // The procedure doc/security-review.md gives: detach the policy from the devices' certificates (they lose access now, not later).
  const { certificateDescription } = await cloud.iot.send(new DescribeCertificateCommand({ certificateId: deviceCertificateId }));
  await cloud.iot.send(new DetachPolicyCommand({ policyName: devicePolicy, target: certificateDescription!.certificateArn }));
});

test('then every policy and provisioning template the stacks made is deleted as CloudFormation deletes them, and none is left', async () => {
  expect(policiesOfStacks.length).toBeGreaterThanOrEqual(6);
  expect(templatesOfStacks.length).toBe(2);
  for (const policyName of policiesOfStacks) await cloud.iot.send(new DeletePolicyCommand({ policyName }));
  for (const templateName of templatesOfStacks) await cloud.iot.send(new DeleteProvisioningTemplateCommand({ templateName }));
  for (const policyName of policiesOfStacks) {
    await expect(cloud.iot.send(new GetPolicyCommand({ policyName }))).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  }
  expect((await cloud.iot.send(new ListProvisioningTemplatesCommand({}))).templates ?? []).toEqual([]);
  // What is left in the registry is what a device made, not the stacks: its certificate, now with no policy.
  const left = (await cloud.iot.send(new ListCertificatesCommand({}))).certificates?.map((certificate) => certificate.certificateId);
  expect(left).toEqual([deviceCertificateId]);
  const { certificateDescription } = await cloud.iot.send(new DescribeCertificateCommand({ certificateId: deviceCertificateId }));
  expect((await cloud.iot.send(new ListAttachedPoliciesCommand({ target: certificateDescription!.certificateArn }))).policies).toEqual([]);
});

test('the buckets\' emptying is aws-cdk-lib\'s auto-delete-objects custom resource, which the runner names as not run locally', () => {
  const autoDelete = cloud.runner.resourcesOfType('Custom::S3AutoDeleteObjects');
  expect(autoDelete).toEqual([]);
  expect(cloud.runner.notRun.filter((sentence) => sentence.includes('Custom::S3AutoDeleteObjects')).length).toBeGreaterThanOrEqual(1);
});
