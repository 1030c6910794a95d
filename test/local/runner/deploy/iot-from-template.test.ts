import { ACCOUNT, byLogicalId, lambdaRole, REGION, stackOf } from './support';
import { createVerificationCertificate } from '../../../../lambda-assets/shared/pki';
import { IotModel, IotServiceError } from '../../../../local/iot';
import type { CfnTemplateResource } from '../../../../local/runner/assembly';
import { createIotRegistryResources } from '../../../../local/runner/deploy/iot-from-template';
import { resolveStack } from '../../../../local/runner/deploy/resolve-stack';
import { FLEET_TEMPLATE, JITP_TEMPLATE, makeCa } from '../../iot/model/fixtures';

function newModel(): IotModel {
  return new IotModel({ accountId: ACCOUNT, region: REGION, rateLimits: false });
}

function resolvedFor(resources: Record<string, CfnTemplateResource>) {
  return resolveStack(stackOf(resources), { accountId: ACCOUNT, region: REGION });
}

const devicePolicy = {
  Version: '2012-10-17',
  Statement: [{
    Effect: 'Allow',
    Action: 'iot:Connect',
    Resource: { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iot:', { Ref: 'AWS::Region' }, ':', { Ref: 'AWS::AccountId' }, ':client/${iot:Connection.Thing.ThingName}']] },
  }],
};

describe('createIotRegistryResources', () => {
  test('an AWS::IoT::Policy is created under its physical name with its resolved document (an object written as JSON)', async () => {
    const model = newModel();
    const stack = resolvedFor({ Policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: devicePolicy } } });
    await createIotRegistryResources(model, stack.resources);
    const policy = byLogicalId(stack, 'Policy');
    const created = await model.getPolicy({ policyName: policy.physicalId });
    expect(created.policyArn).toBe(policy.attributes.Arn);
    expect(JSON.parse(created.policyDocument!)).toEqual({
      Version: '2012-10-17',
      Statement: [{ Effect: 'Allow', Action: 'iot:Connect', Resource: `arn:aws:iot:${REGION}:${ACCOUNT}:client/\${iot:Connection.Thing.ThingName}` }],
    });
  });

  test('a policy document given as a string is kept as written; an explicit PolicyName names the policy', async () => {
    const model = newModel();
    const text = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","Resource":"*"}]}';
    const stack = resolvedFor({ Policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'device-publish', PolicyDocument: text } } });
    await createIotRegistryResources(model, stack.resources);
    expect((await model.getPolicy({ policyName: 'device-publish' })).policyDocument).toBe(text);
  });

  test('an invalid policy document fails as CreatePolicy fails', async () => {
    const stack = resolvedFor({ Policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: { Statement: 'nope' } } } });
    await expect(createIotRegistryResources(newModel(), stack.resources)).rejects.toThrow(IotServiceError);
  });

  test('a fleet provisioning template: body, role, enabled, description and pre-provisioning hook', async () => {
    const model = newModel();
    const stack = resolvedFor({
      Role: lambdaRole(),
      Hook: { Type: 'AWS::Lambda::Function', Properties: {} },
      Template: {
        Type: 'AWS::IoT::ProvisioningTemplate',
        Properties: {
          TemplateBody: FLEET_TEMPLATE,
          ProvisioningRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] },
          Enabled: 'true',
          Description: 'fleet',
          PreProvisioningHook: { TargetArn: { 'Fn::GetAtt': ['Hook', 'Arn'] }, PayloadVersion: '2020-04-01' },
        },
      },
    });
    await createIotRegistryResources(model, stack.resources);
    const template = byLogicalId(stack, 'Template');
    const described = await model.describeProvisioningTemplate({ templateName: template.physicalId });
    expect(described).toMatchObject({
      templateArn: template.attributes.TemplateArn,
      templateName: template.attributes.TemplateName,
      templateBody: FLEET_TEMPLATE,
      provisioningRoleArn: byLogicalId(stack, 'Role').attributes.Arn,
      enabled: true,
      description: 'fleet',
      type: 'FLEET_PROVISIONING',
      preProvisioningHook: { targetArn: byLogicalId(stack, 'Hook').attributes.Arn, payloadVersion: '2020-04-01' },
    });
  });

  test('a JITP template, not enabled unless the template says so', async () => {
    const model = newModel();
    const stack = resolvedFor({
      Role: lambdaRole(),
      Jitp: {
        Type: 'AWS::IoT::ProvisioningTemplate',
        Properties: { TemplateName: 'jitp', TemplateType: 'JITP', TemplateBody: JITP_TEMPLATE, ProvisioningRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } },
      },
    });
    await createIotRegistryResources(model, stack.resources);
    const described = await model.describeProvisioningTemplate({ templateName: 'jitp' });
    expect(described.type).toBe('JITP');
    expect(described.enabled).toBe(false);
    expect(described.templateBody).toBe(JITP_TEMPLATE);
  });

  test('a template with a CDK-length logical id and no TemplateName can be created (its generated name fits)', async () => {
    const model = newModel();
    const stack = resolvedFor({
      Role: lambdaRole(),
      FleetProvisioningClaimTemplate8D2F3A1B: {
        Type: 'AWS::IoT::ProvisioningTemplate',
        Properties: { TemplateBody: FLEET_TEMPLATE, ProvisioningRoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] }, Enabled: true },
      },
    });
    await createIotRegistryResources(model, stack.resources);
    const name = byLogicalId(stack, 'FleetProvisioningClaimTemplate8D2F3A1B').physicalId;
    expect((await model.describeProvisioningTemplate({ templateName: name })).enabled).toBe(true);
  });

  test('a CA certificate is registered with its status, auto-registration, mode and JITP registration config; its id is answered', async () => {
    const model = newModel();
    const ca = await makeCa('Deploy Test Root');
    const { registrationCode } = await model.getRegistrationCode({});
    const verification = await createVerificationCertificate(ca.authority, registrationCode!);
    const stack = resolvedFor({
      Role: lambdaRole(),
      Ca: {
        Type: 'AWS::IoT::CACertificate',
        Properties: {
          CACertificatePem: ca.certificatePem,
          VerificationCertificatePem: verification.certificatePem,
          Status: 'ACTIVE',
          AutoRegistrationStatus: 'ENABLE',
          RegistrationConfig: { TemplateBody: JITP_TEMPLATE, RoleArn: { 'Fn::GetAtt': ['Role', 'Arn'] } },
        },
      },
    });
    const ids = await createIotRegistryResources(model, stack.resources);
    expect(ids).toEqual(new Map([['Ca', ca.certificateId]]));
    // Ref and GetAtt answered the same id and ARN before registration (the id is the DER's SHA-256).
    expect(byLogicalId(stack, 'Ca').physicalId).toBe(ca.certificateId);
    expect(byLogicalId(stack, 'Ca').attributes.Arn).toMatch(new RegExp(`^arn:aws:iot:[^:]+:\\d{12}:cacert/${ca.certificateId}$`));
    const described = await model.describeCACertificate({ certificateId: ca.certificateId });
    expect(described.certificateDescription).toMatchObject({ status: 'ACTIVE', autoRegistrationStatus: 'ENABLE', certificateMode: 'DEFAULT' });
    expect(described.registrationConfig).toMatchObject({ templateBody: JITP_TEMPLATE, roleArn: byLogicalId(stack, 'Role').attributes.Arn });
  });

  test('an SNI_ONLY CA needs no verification certificate; without Status ACTIVE it is INACTIVE, without auto-registration DISABLE', async () => {
    const model = newModel();
    const ca = await makeCa('SNI Root');
    const stack = resolvedFor({
      Ca: { Type: 'AWS::IoT::CACertificate', Properties: { CACertificatePem: ca.certificatePem, CertificateMode: 'SNI_ONLY', Status: 'INACTIVE' } },
    });
    await createIotRegistryResources(model, stack.resources);
    expect((await model.describeCACertificate({ certificateId: ca.certificateId })).certificateDescription).toMatchObject({
      status: 'INACTIVE', autoRegistrationStatus: 'DISABLE', certificateMode: 'SNI_ONLY',
    });
  });

  test('a DEFAULT-mode CA without a valid verification certificate is refused', async () => {
    const ca = await makeCa('Unverified Root');
    const stack = resolvedFor({ Ca: { Type: 'AWS::IoT::CACertificate', Properties: { CACertificatePem: ca.certificatePem, Status: 'ACTIVE' } } });
    await expect(createIotRegistryResources(newModel(), stack.resources)).rejects.toThrow(IotServiceError);
  });

  test('other resource types are left alone', async () => {
    const model = newModel();
    const stack = resolvedFor({ Rule: { Type: 'AWS::IoT::TopicRule', Properties: {} }, Queue: { Type: 'AWS::SQS::Queue', Properties: {} } });
    expect(await createIotRegistryResources(model, stack.resources)).toEqual(new Map());
    expect((await model.listProvisioningTemplates({})).templates).toEqual([]);
  });
});
