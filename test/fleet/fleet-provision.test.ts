import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { FleetProvision } from '../../src';
import { fleetStack } from '../support/fleet-stack';
import { deployedTemplateBody } from '../support/jitp-stack';
import { actionsOf, statementsOfRole } from '../support/jitr-stack';

function onlyResource(template: Template, type: string): { id: string; properties: Record<string, any> } {
  const resources = Object.entries(template.findResources(type));
  expect(resources).toHaveLength(1);
  return { id: resources[0][0], properties: resources[0][1].Properties };
}

/** An ARN as the synthesized template spells it, with the template's name standing in for its Ref. */
function arnText(node: unknown, templateName = 'TEMPLATE'): string {
  const value = node as Record<string, any>;
  if (typeof node === 'string') return node;
  if (value['Fn::Join']) return (value['Fn::Join'][1] as unknown[]).map((part) => arnText(part, templateName)).join(value['Fn::Join'][0]);
  if (value.Ref === 'AWS::Partition') return 'aws';
  if (value.Ref) return templateName;
  return JSON.stringify(node);
}

describe('FleetProvision with the default template', () => {
  const { template: synth } = fleetStack();
  const template: Template = synth();
  const provisioning = onlyResource(template, 'AWS::IoT::ProvisioningTemplate');
  const policies = template.findResources('AWS::IoT::Policy');
  const claimPolicyId = Object.keys(policies).find((id) => id.startsWith('FleetClaimPolicy'))!;
  const devicePolicyId = Object.keys(policies).find((id) => id.startsWith('FleetDevicePolicy'))!;

  test('a FLEET_PROVISIONING template with its role and the pre-provisioning hook (payload 2020-04-01)', () => {
    expect(provisioning.properties).toMatchObject({
      TemplateType: 'FLEET_PROVISIONING',
      Enabled: true,
      PreProvisioningHook: { PayloadVersion: '2020-04-01', TargetArn: { 'Fn::GetAtt': [expect.stringMatching(/^FleetPreProvisioningHookHandlerFunction/), 'Arn'] } },
      ProvisioningRoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^FleetProvisioningRole/), 'Arn'] },
    });
    expect(provisioning.properties.TemplateName).toBeUndefined();
  });

  test('the default template: thing named by SerialNumber, certificate ACTIVE, the shared policy', () => {
    expect(deployedTemplateBody(provisioning.properties.TemplateBody)).toEqual({
      Parameters: { 'SerialNumber': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'SerialNumber' } } },
        certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'DevicePolicy-1' } },
      },
    });
    expect(provisioning.properties.TemplateBody['Fn::Join'][1]).toContainEqual({ Ref: devicePolicyId });
  });

  test('the claim policy is this template\'s fleet provisioning API only: publish the six requests, receive and subscribe the answers', () => {
    const statements: Array<Record<string, any>> = policies[claimPolicyId].Properties.PolicyDocument.Statement;
    const byAction = Object.fromEntries(statements.map((statement) => [statement.Action, [].concat(statement.Resource).map((r) => arnText(r))]));
    const prefix = 'arn:aws:iot:eu-west-1:111122223333:';
    const apis = ['$aws/certificates/create', '$aws/certificates/create-from-csr', '$aws/provisioning-templates/TEMPLATE/provision'];
    const requests = apis.flatMap((api) => [`${api}/json`, `${api}/cbor`]);
    const answers = apis.map((api) => `${api}/*`);
    expect(Object.keys(byAction).sort()).toEqual(['iot:Connect', 'iot:Publish', 'iot:Receive', 'iot:Subscribe']);
    expect(byAction['iot:Connect']).toEqual([`${prefix}client/*`]);
    expect(byAction['iot:Publish']).toEqual(requests.map((topic) => `${prefix}topic/${topic}`));
    expect(byAction['iot:Receive']).toEqual(answers.map((topic) => `${prefix}topic/${topic}`));
    expect(byAction['iot:Subscribe']).toEqual(answers.map((topic) => `${prefix}topicfilter/${topic}`));
    // AWS IoT refuses policy documents over 2048 characters (whitespace excluded), with the longest template name (36).
    const longest = JSON.stringify(statements).replace(/\{"Ref":"AWS::Partition"\}/g, '"aws"').replace(/\{"Ref":"[^"]+"\}/g, `"${'t'.repeat(36)}"`);
    expect(longest.replace(/\s/g, '').length).toBeLessThan(2048);
    // The template in the topics is this construct's, by reference.
    const publish = statements.find((statement) => statement.Action === 'iot:Publish')!;
    expect(JSON.stringify(publish.Resource)).toContain(JSON.stringify({ Ref: provisioning.id }));
  });

  test('the hook: 5 s, told the thing-name and required parameters and the verifier, invocable by AWS IoT for this template only', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Pre-provisioning hook'),
      Timeout: 5,
      Environment: {
        Variables: {
          THING_NAME_PARAMETER: 'SerialNumber',
          REQUIRED_PARAMETERS: '["SerialNumber"]',
          VERIFIER_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^SerialVerifier'), 'Arn'] },
          VERIFIER_TIMEOUT_MS: '3500',
        },
      },
    });
    const permission = onlyResource(template, 'AWS::Lambda::Permission');
    expect(permission.properties).toMatchObject({ Action: 'lambda:InvokeFunction', Principal: 'iot.amazonaws.com', SourceAccount: '111122223333' });
    expect(arnText(permission.properties.SourceArn)).toBe('arn:aws:iot:eu-west-1:111122223333:provisioningtemplate/TEMPLATE');
    const hookStatements = statementsOfRole(template, 'FleetPreProvisioningHookHandlerRole');
    expect(hookStatements.flatMap(actionsOf).sort()).toEqual(['lambda:InvokeFunction', 'logs:CreateLogStream', 'logs:PutLogEvents']);
  });

  test('one claim certificate from the Provider framework, with the claim policy and this template', () => {
    const claims = template.findResources('Custom::IotClaimCertificate');
    expect(Object.values(claims).map((claim) => claim.Properties)).toEqual([{
      ServiceToken: { 'Fn::GetAtt': [expect.stringMatching(/ProviderframeworkonEvent/), 'Arn'] },
      ClaimPolicyName: { Ref: claimPolicyId },
      TemplateName: { Ref: provisioning.id },
    }]);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: { USER_ON_EVENT_FUNCTION_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^FleetClaimCertificatesIssuerFunction'), 'Arn'] } } },
    });
  });

  test('the issuer may create, attach, deactivate and delete certificates and write (never read) the vault\'s claims/', () => {
    const statements = statementsOfRole(template, 'FleetClaimCertificatesIssuerRole');
    const actions = statements.flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining([
      'iot:CreateKeysAndCertificate', 'iot:AttachPolicy', 'iot:DetachPolicy', 'iot:UpdateCertificate', 'iot:DeleteCertificate',
      's3:PutObject', 's3:DeleteObject', 'kms:GenerateDataKey',
    ]));
    expect(actions).not.toContain('s3:GetObject');
    expect(actions).not.toContain('kms:Decrypt');
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf)).toEqual(['iot:CreateKeysAndCertificate']);
    const attach = statements.find((statement) => actionsOf(statement).includes('iot:AttachPolicy'))!;
    expect(attach.Resource).toContainEqual({ 'Fn::GetAtt': [claimPolicyId, 'Arn'] });
  });

  test('the provisioning role: trusted by iot.amazonaws.com, scoped statements, no managed policy', () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('fleet-provisioned devices') } });
    expect(Object.values(roles)).toHaveLength(1);
    const role = Object.values(roles)[0].Properties;
    expect(role.AssumeRolePolicyDocument.Statement).toEqual([{ Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' } }]);
    expect(role.ManagedPolicyArns).toBeUndefined();
  });
});

describe('FleetProvision grants and options', () => {
  test('grantReadClaimCertificates: the role reads claims/ and decrypts; every other principal is refused the keys', () => {
    const { stack, fleet, template } = fleetStack();
    const factory = new iam.Role(stack, 'Factory', { assumedBy: new iam.AccountRootPrincipal() });
    fleet.grantReadClaimCertificates(factory);
    const synthesized = template();
    const statements = statementsOfRole(synthesized, 'Factory');
    expect(statements.flatMap(actionsOf)).toEqual(['s3:GetObject', 'kms:Decrypt']);
    expect(JSON.stringify(statements[0].Resource)).toContain('/claims/*');
    const bucketPolicy = Object.values(synthesized.findResources('AWS::S3::BucketPolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .find((statement: any) => statement.Sid === 'OnlyGranteesReadClaimPrivateKeys');
    expect(bucketPolicy).toMatchObject({
      Effect: 'Deny',
      Action: ['s3:GetObject', 's3:GetObjectVersion'],
      // The issuer is listed from the start (the fence exists before any grant) but holds no read permission.
      Condition: {
        ArnNotEquals: {
          'aws:PrincipalArn': [
            { 'Fn::GetAtt': [expect.stringMatching(/^FleetClaimCertificatesIssuerRole/), 'Arn'] },
            { 'Fn::GetAtt': [expect.stringMatching(/^Factory/), 'Arn'] },
          ],
        },
      },
    });
    expect(JSON.stringify(bucketPolicy.Resource)).toContain('/claims/*/claim.private_key.pem');
  });

  test('grantCreateProvisioningClaim: iot:CreateProvisioningClaim on this template only', () => {
    const { stack, fleet, template } = fleetStack();
    const app = new iam.Role(stack, 'TrustedApp', { assumedBy: new iam.AccountRootPrincipal() });
    fleet.grantCreateProvisioningClaim(app);
    const [statement] = statementsOfRole(template(), 'TrustedApp');
    expect(statement.Action).toBe('iot:CreateProvisioningClaim');
    expect(arnText(statement.Resource)).toBe('arn:aws:iot:eu-west-1:111122223333:provisioningtemplate/TEMPLATE');
  });

  test('claimCertificateCount: several, or none (trusted-user provisioning only: no issuer at all)', () => {
    fleetStack({ claimCertificateCount: 3 }).template().resourceCountIs('Custom::IotClaimCertificate', 3);
    const none = fleetStack({ claimCertificateCount: 0 }).template();
    none.resourceCountIs('Custom::IotClaimCertificate', 0);
    expect(Object.keys(none.findResources('AWS::Lambda::Function')).filter((id) => id.includes('ClaimCertificates'))).toEqual([]);
    expect(() => fleetStack({ claimCertificateCount: 11 })).toThrow('claimCertificateCount must be a whole number from 0 to 10, got 11');
  });

  test('Greengrass: a token exchange role for credentials.iot.amazonaws.com with real permissions, its role alias, and the device policy may assume it', () => {
    const { template: synth } = fleetStack((stack) => ({ greengrass: { artifactBuckets: [new s3.Bucket(stack, 'Artifacts')] } }));
    const template = synth();
    const alias = onlyResource(template, 'AWS::IoT::RoleAlias');
    expect(alias.properties).toMatchObject({ CredentialDurationSeconds: 3600, RoleArn: { 'Fn::GetAtt': [expect.stringMatching(/^FleetGreengrassRole/), 'Arn'] } });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'credentials.iot.amazonaws.com' } })] },
    });
    const actions = statementsOfRole(template, 'FleetGreengrassRole').flatMap(actionsOf);
    expect(actions).toEqual(expect.arrayContaining(['logs:CreateLogGroup', 'logs:PutLogEvents', 's3:GetObject*']));
    const devicePolicy = Object.entries(template.findResources('AWS::IoT::Policy')).find(([id]) => id.startsWith('FleetDevicePolicy'))![1];
    expect(devicePolicy.Properties.PolicyDocument.Statement).toContainEqual({
      Action: 'iot:AssumeRoleWithCertificate', Effect: 'Allow', Resource: { 'Fn::GetAtt': [alias.id, 'RoleAliasArn'] },
    });
    expect(devicePolicy.Properties.PolicyDocument.Statement).toContainEqual(expect.objectContaining({
      Action: expect.arrayContaining(['greengrass:ResolveComponentCandidates', 'greengrass:GetDeploymentConfiguration']),
    }));
  });

  test('claim keys are fenced as soon as claims are issued, before any grant', () => {
    const fence = Object.values(fleetStack().template().findResources('AWS::S3::BucketPolicy'))
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement)
      .find((statement: any) => statement.Sid === 'OnlyGranteesReadClaimPrivateKeys');
    expect(fence.Condition.ArnNotEquals['aws:PrincipalArn']).toEqual([{ 'Fn::GetAtt': [expect.stringMatching(/^FleetClaimCertificatesIssuerRole/), 'Arn'] }]);
  });

  test('Greengrass in a stack without an explicit account and Region synthesizes', () => {
    const app = new App();
    const stack = new Stack(app, 'Anywhere');
    new FleetProvision(stack, 'Fleet', { greengrass: {} });
    expect(() => app.synth()).not.toThrow();
  });

  test('a user template: checked at synth, the policy placeholder replaced, AWSIoTThingsRegistration for its role', () => {
    const userTemplate = {
      Parameters: { 'DeviceId': { Type: 'String' }, 'Site': { Type: 'String', Default: 'plant-1' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'DeviceId' }, AttributePayload: { site: { Ref: 'Site' } } } },
        certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: FleetProvision.DEVICE_POLICY_NAME } },
      },
      DeviceConfiguration: { site: { Ref: 'Site' } },
    };
    const { template: synth } = fleetStack({ templateBody: JSON.stringify(userTemplate), thingNameParameter: 'DeviceId' });
    const template = synth();
    const body = deployedTemplateBody(onlyResource(template, 'AWS::IoT::ProvisioningTemplate').properties.TemplateBody, 'the-policy');
    expect(body.Resources.policy.Properties.PolicyName).toBe('the-policy');
    expect(body.DeviceConfiguration).toEqual(userTemplate.DeviceConfiguration);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ THING_NAME_PARAMETER: 'DeviceId', REQUIRED_PARAMETERS: '["DeviceId"]' }) },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      Description: Match.stringLikeRegexp('fleet-provisioned'),
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSIoTThingsRegistration']] }],
    });
  });

  test.each<[string, Record<string, unknown>, string]>([
    ['a JITP certificate parameter', { Parameters: { 'AWS::IoT::Certificate::CommonName': { Type: 'String' } } },
      "templateBody: parameter 'AWS::IoT::Certificate::CommonName' is filled in only by JITP"],
    ['a thingNameParameter the template lacks', {}, "thingNameParameter 'Serial' is not a parameter of templateBody"],
  ])('refused at synth: %s', (_case, change, message) => {
    const base = {
      Parameters: { 'SerialNumber': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
      Resources: { certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' } } } },
    };
    const templateBody = JSON.stringify({ ...base, ...change });
    expect(() => fleetStack({ templateBody, thingNameParameter: 'Serial' })).toThrow(message);
  });
});
