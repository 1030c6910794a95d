/**
 * The runner started again on a state directory whose registry it kept: the template's IoT resources that
 * have fixed names (a CA certificate's id, an explicit PolicyName or TemplateName) are there already and stay
 * as they are, as CloudFormation leaves a deployed resource alone; resources named with a random suffix are
 * new names and created.
 */
import { ACCOUNT, byLogicalId, lambdaRole, REGION, stackOf } from './support';
import { createVerificationCertificate } from '../../../../lambda-assets/shared/pki';
import { IotModel } from '../../../../local/iot';
import type { CfnTemplateResource } from '../../../../local/runner/assembly';
import { createIotRegistryResources } from '../../../../local/runner/deploy/iot-from-template';
import { resolveStack } from '../../../../local/runner/deploy/resolve-stack';
import { FLEET_TEMPLATE, makeCa } from '../../iot/model/fixtures';

test('a second deployment onto the kept registry keeps the named resources and creates the others', async () => {
  const model = new IotModel({ accountId: ACCOUNT, region: REGION, rateLimits: false });
  const ca = await makeCa('Kept Root');
  const { registrationCode } = await model.getRegistrationCode();
  const verification = await createVerificationCertificate(ca.authority, registrationCode!);
  const document = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: '*' }] };
  const resources: Record<string, CfnTemplateResource> = {
    Role: lambdaRole(),
    Named: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'kept-policy', PolicyDocument: document } },
    Unnamed: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: document } },
    Template: {
      Type: 'AWS::IoT::ProvisioningTemplate',
      Properties: { TemplateName: 'kept-template', TemplateBody: FLEET_TEMPLATE, ProvisioningRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, Enabled: true },
    },
    Ca: {
      Type: 'AWS::IoT::CACertificate',
      Properties: { CACertificatePem: ca.certificatePem, VerificationCertificatePem: verification.certificatePem, Status: 'ACTIVE', AutoRegistrationStatus: 'ENABLE' },
    },
  };
  const first = resolveStack(stackOf(resources), { accountId: ACCOUNT, region: REGION });
  await createIotRegistryResources(model, first.resources);
  const restored = new IotModel({ accountId: ACCOUNT, region: REGION, rateLimits: false, restoreFrom: JSON.parse(JSON.stringify(model.snapshot())) });
  const caBefore = await restored.describeCACertificate({ certificateId: ca.certificateId });

  const second = resolveStack(stackOf(resources), { accountId: ACCOUNT, region: REGION });
  const ids = await createIotRegistryResources(restored, second.resources);

  expect(ids).toEqual(new Map([['Ca', ca.certificateId]]));
  expect(await restored.describeCACertificate({ certificateId: ca.certificateId })).toEqual(caBefore);
  expect((await restored.getPolicy({ policyName: 'kept-policy' })).policyName).toBe('kept-policy');
  expect((await restored.describeProvisioningTemplate({ templateName: 'kept-template' })).templateName).toBe('kept-template');
  // The unnamed policy got a new random suffix: both deployments' policies exist.
  const unnamed = [byLogicalId(first, 'Unnamed').physicalId, byLogicalId(second, 'Unnamed').physicalId];
  expect(new Set(unnamed).size).toBe(2);
  for (const policyName of unnamed) expect((await restored.getPolicy({ policyName })).policyName).toBe(policyName);
});
