import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { CertificateSubjectField, JitpTemplateDelivery, JustInTimeProvision } from '../../src';
import { deployedTemplateBody, jitpStack } from '../support/jitp-stack';
import { actionsOf, statementsOfRole } from '../support/jitr-stack';

function onlyResource(template: Template, type: string): { id: string; properties: Record<string, any> } {
  const resources = Object.entries(template.findResources(type));
  expect(resources).toHaveLength(1);
  return { id: resources[0][0], properties: resources[0][1].Properties };
}

function registratorEnvironment(template: Template): Record<string, any> {
  const functions = template.findResources('AWS::Lambda::Function', {
    Properties: { Environment: { Variables: { DEFAULT_CA_VALIDITY_DAYS: Match.anyValue() } } },
  });
  return Object.values(functions)[0].Properties.Environment.Variables;
}

describe('JustInTimeProvision with the default template', () => {
  const { template: synth, jitp, stack } = jitpStack();
  const template: Template = synth();
  const policy = onlyResource(template, 'AWS::IoT::Policy');

  test('a CloudFormation-managed JITP template runs as the provisioning role', () => {
    const provisioning = onlyResource(template, 'AWS::IoT::ProvisioningTemplate');
    expect(provisioning.properties).toMatchObject({
      TemplateType: 'JITP',
      Enabled: true,
    });
    expect(provisioning.properties.TemplateName).toBeUndefined();
    expect(provisioning.properties.ProvisioningRoleArn['Fn::GetAtt'][0]).toMatch(/^JitpProvisioningRole/);
    // The template needs its role's permissions in place before AWS IoT runs it.
    const dependsOn: string[] = template.toJSON().Resources[provisioning.id].DependsOn;
    expect(dependsOn.some((id) => id.startsWith('JitpProvisioningRolePolicy'))).toBe(true);
  });

  test('the default template: thing from the CN, the Organization as attribute, certificate ACTIVE, the shared policy', () => {
    const provisioning = onlyResource(template, 'AWS::IoT::ProvisioningTemplate');
    const body = deployedTemplateBody(provisioning.properties.TemplateBody);
    expect(provisioning.properties.TemplateBody['Fn::Join'][1]).toContainEqual({ Ref: policy.id });
    expect(body).toEqual({
      Parameters: {
        'AWS::IoT::Certificate::CommonName': { Type: 'String' },
        'AWS::IoT::Certificate::Organization': { Type: 'String' },
        'AWS::IoT::Certificate::Id': { Type: 'String' },
      },
      Resources: {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: {
            ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' },
            AttributePayload: { organization: { Ref: 'AWS::IoT::Certificate::Organization' } },
          },
        },
        certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'DevicePolicy-1' } },
      },
    });
    expect(stack.resolve(jitp.templateBody)).toEqual(provisioning.properties.TemplateBody);
  });

  test('the shared device policy is scoped to the connected thing name', () => {
    const statements = policy.properties.PolicyDocument.Statement;
    expect(statements[0]).toMatchObject({ Action: 'iot:Connect', Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'true' } } });
    expect(JSON.stringify(statements)).toContain('${iot:Connection.Thing.ThingName}');
    expect(JSON.stringify(statements)).not.toMatch(/"Resource":"\*"/);
  });

  test('the CA registrator registers every CA with the template by name', () => {
    const provisioning = onlyResource(template, 'AWS::IoT::ProvisioningTemplate');
    const config = registratorEnvironment(template).REGISTRATION_CONFIG;
    expect(config).toEqual({ 'Fn::Join': ['', ['{"templateName":"', { Ref: provisioning.id }, '"}']] });
  });

  test('the provisioning role: trusted by iot.amazonaws.com, no managed policy, scoped statements', () => {
    const roles = template.findResources('AWS::IAM::Role', { Properties: { Description: Match.stringLikeRegexp('provision just-in-time') } });
    const [roleId, roleResource] = Object.entries(roles)[0];
    expect(Object.keys(roles)).toHaveLength(1);
    expect(roleResource.Properties.AssumeRolePolicyDocument.Statement).toEqual([
      { Action: 'sts:AssumeRole', Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' } },
    ]);
    expect(roleResource.Properties.ManagedPolicyArns).toBeUndefined();
    const statements = statementsOfRole(template, roleId);
    const actions = statements.flatMap(actionsOf).sort();
    expect([...new Set(actions)]).toEqual([
      'iot:AttachPolicy', 'iot:AttachThingPrincipal', 'iot:CreateThing', 'iot:DescribeCertificate', 'iot:DescribeThing',
      'iot:GetPolicy', 'iot:ListPrincipalThings', 'iot:ListThingPrincipals', 'iot:RegisterThing', 'iot:UpdateCertificate', 'iot:UpdateThing',
    ]);
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf)).toEqual(['iot:RegisterThing']);
    const attachPolicy = statements.find((statement) => actionsOf(statement).includes('iot:AttachPolicy'))!;
    expect(attachPolicy.Resource).toContainEqual({ 'Fn::GetAtt': [policy.id, 'Arn'] });
  });

  test('POST /deviceCertificateGenerate is IAM-authorized, body-validated, and granted by grantDeviceCertificateGenerate', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'deviceCertificateGenerate' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestModels: { 'application/json': Match.anyValue() },
      RequestValidatorId: Match.anyValue(),
      ResourceId: { Ref: Match.stringLikeRegexp('deviceCertificateGenerate') },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['caCertificateId'], additionalProperties: false }),
    });
    const { stack: fresh, jitp: freshJitp } = jitpStack();
    const user = new iam.User(fresh, 'Factory');
    freshJitp.grantDeviceCertificateGenerate(user);
    const statements = Template.fromStack(fresh).findResources('AWS::IAM::Policy', { Properties: { Users: [{ Ref: Match.stringLikeRegexp('^Factory') }] } });
    const document = Object.values(statements)[0].Properties.PolicyDocument;
    expect(document.Statement).toEqual([expect.objectContaining({ Action: 'execute-api:Invoke' })]);
    expect(JSON.stringify(document)).toContain('/POST/deviceCertificateGenerate');
  });

  test('the generator reads CA material, writes only issued/ records, and may invoke the verifier', () => {
    const statements = statementsOfRole(template, 'JitpDeviceCertificateApiHandlerRole');
    const actions = statements.flatMap(actionsOf);
    expect(actions).not.toContain('s3:DeleteObject');
    const put = statements.find((statement) => actionsOf(statement).includes('s3:PutObject'))!;
    expect(JSON.stringify(put.Resource)).toContain('/*/issued/*');
    expect(actions).toEqual(expect.arrayContaining([
      's3:GetObject', 's3:ListBucket', 'kms:Decrypt', 'kms:GenerateDataKey',
      'iot:DescribeCACertificate', 'iot:ListTagsForResource', 'iot:DescribeProvisioningTemplate', 'iot:DescribeEndpoint', 'lambda:InvokeFunction',
    ]));
    expect(actions.some((action) => /^iot:(Create|Delete|Update|Attach|Register)/.test(action))).toBe(false);
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf)).toEqual(['iot:DescribeEndpoint']);
  });

  test('only the CA registrator and the generator may read CA private keys, in one Deny statement', () => {
    const bucketPolicies = Object.values(template.findResources('AWS::S3::BucketPolicy'));
    const fences = bucketPolicies.flatMap((bucketPolicy) => bucketPolicy.Properties.PolicyDocument.Statement).filter((statement: any) => statement.Sid === 'OnlyCaKeyHoldersReadCaPrivateKeys');
    expect(fences).toHaveLength(1);
    const readers: Array<{ 'Fn::GetAtt': [string, string] }> = fences[0].Condition.ArnNotEquals['aws:PrincipalArn'];
    expect(readers.map((reader) => reader['Fn::GetAtt'][0]).map((id) => id.replace(/[0-9A-F]{8}$/, ''))).toEqual([
      'JitpCaRegistratorHandlerRole', 'JitpDeviceCertificateApiHandlerRole',
    ]);
  });

  test('the generator learns the vault, the registrar id, the verifiers and the validity defaults', () => {
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('^Issues device certificates'),
      Runtime: 'nodejs24.x',
      Environment: {
        Variables: Match.objectLike({
          VAULT_BUCKET: Match.anyValue(),
          VAULT_KEY_ARN: Match.anyValue(),
          REGISTRAR_ID: Match.anyValue(),
          VERIFIER_ARNS: Match.anyValue(),
          DEFAULT_DEVICE_VALIDITY_DAYS: '365',
          MAX_DEVICE_VALIDITY_DAYS: '3650',
        }),
      },
    });
  });
});

describe('JustInTimeProvision options', () => {
  test('CA_TEMPLATE_BODY: the CA carries the body and role, and the registrator may pass the role to AWS IoT only', () => {
    const { template: synth } = jitpStack({ templateDelivery: JitpTemplateDelivery.CA_TEMPLATE_BODY });
    const template = synth();
    template.resourceCountIs('AWS::IoT::ProvisioningTemplate', 0);
    const config = registratorEnvironment(template).REGISTRATION_CONFIG;
    const parts: unknown[] = config['Fn::Join'][1];
    expect(parts[0]).toMatch(/^\{"templateBody":"\{\\"Parameters\\"/);
    expect(parts).toContainEqual({ 'Fn::GetAtt': [expect.stringMatching(/^JitpProvisioningRole/), 'Arn'] });
    const passRole = statementsOfRole(template, 'JitpCaRegistratorHandlerRole').find((statement) => statement.Action === 'iam:PassRole');
    expect(passRole).toMatchObject({
      Resource: { 'Fn::GetAtt': [expect.stringMatching(/^JitpProvisioningRole/), 'Arn'] },
      Condition: { StringEquals: { 'iam:PassedToService': 'iot.amazonaws.com' } },
    });
  });

  test('thingAttributeFields choose the attributes (and so the fields every certificate needs)', () => {
    const { template: synth } = jitpStack({ thingAttributeFields: [CertificateSubjectField.COUNTRY, CertificateSubjectField.ORGANIZATIONAL_UNIT] });
    const body = deployedTemplateBody(onlyResource(synth(), 'AWS::IoT::ProvisioningTemplate').properties.TemplateBody);
    expect(Object.keys(body.Parameters)).toEqual([
      'AWS::IoT::Certificate::CommonName', 'AWS::IoT::Certificate::Country', 'AWS::IoT::Certificate::OrganizationalUnit', 'AWS::IoT::Certificate::Id',
    ]);
    expect(body.Resources.thing.Properties.AttributePayload).toEqual({
      country: { Ref: 'AWS::IoT::Certificate::Country' },
      organizationalUnit: { Ref: 'AWS::IoT::Certificate::OrganizationalUnit' },
    });
    const { template: bare } = jitpStack({ thingAttributeFields: [] });
    const bareBody = deployedTemplateBody(onlyResource(bare(), 'AWS::IoT::ProvisioningTemplate').properties.TemplateBody);
    expect(Object.keys(bareBody.Parameters)).toEqual(['AWS::IoT::Certificate::CommonName', 'AWS::IoT::Certificate::Id']);
  });

  test('a user template: the policy placeholder becomes the shared policy, and its role gets AWSIoTThingsRegistration', () => {
    const userTemplate = {
      Parameters: { 'AWS::IoT::Certificate::SerialNumber': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
      Resources: {
        device: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::SerialNumber' }, ThingGroups: ['sensors'] } },
        cert: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
        shared: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: JustInTimeProvision.DEVICE_POLICY_NAME } },
      },
    };
    const { template: synth } = jitpStack({ templateBody: JSON.stringify(userTemplate) });
    const template = synth();
    const body = deployedTemplateBody(onlyResource(template, 'AWS::IoT::ProvisioningTemplate').properties.TemplateBody, 'the-policy');
    expect(body.Resources.shared.Properties.PolicyName).toBe('the-policy');
    expect(body.Resources.device).toEqual(userTemplate.Resources.device);
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: { Statement: [Match.objectLike({ Principal: { Service: 'iot.amazonaws.com' } })] },
      ManagedPolicyArns: [{ 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSIoTThingsRegistration']] }],
    });
  });

  test('another authorizer for the device certificate API, or a clear error', () => {
    const { template: synth } = jitpStack({ deviceCertificateApiAuthorization: { authorizationType: apigw.AuthorizationType.NONE } });
    synth().hasResourceProperties('AWS::ApiGateway::Method', { AuthorizationType: 'NONE', ResourceId: { Ref: Match.stringLikeRegexp('deviceCertificateGenerate') } });
    expect(() => jitpStack({ deviceCertificateApiAuthorization: { authorizationType: apigw.AuthorizationType.CUSTOM } }))
      .toThrow('deviceCertificateApiAuthorization.authorizer is required when deviceCertificateApiAuthorization.authorizationType is CUSTOM');
  });

  test('device certificate validity: a default of your own, within 1 to 3650 days', () => {
    const { template: synth } = jitpStack({ defaultDeviceCertificateValidity: Duration.days(730) });
    synth().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DEFAULT_DEVICE_VALIDITY_DAYS: '730' }) },
    });
    expect(() => jitpStack({ defaultDeviceCertificateValidity: Duration.days(4000) }))
      .toThrow('defaultDeviceCertificateValidity must be a whole number of days from 1 to 3650, got 4000');
  });

  test('more thing attributes than a thing without a type holds is refused', () => {
    expect(() => jitpStack({
      thingAttributeFields: [
        CertificateSubjectField.COUNTRY, CertificateSubjectField.ORGANIZATION,
        CertificateSubjectField.STATE_NAME, CertificateSubjectField.SERIAL_NUMBER,
      ],
    })).toThrow('thingAttributeFields: a thing without a thing type holds at most 3 attributes, got 4');
  });

  test('thingAttributeFields with a template of your own is refused', () => {
    expect(() => jitpStack({ templateBody: '{}', thingAttributeFields: [CertificateSubjectField.COUNTRY] }))
      .toThrow('thingAttributeFields applies to the default template only');
  });
});
