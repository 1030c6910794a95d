import { Match } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import { csrApiStack } from '../support/csr-api-stack';
import { actionsOf, statementsOfRole } from '../support/jitr-stack';

describe('CsrProvisioningApi', () => {
  const { template: synth } = csrApiStack();
  const template = synth();

  test('POST /provision/device: AWS_IAM, a request model requiring ThingName and CSR, a validator', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'provision' });
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'device' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestModels: { 'application/json': Match.anyValue() },
      RequestValidatorId: Match.anyValue(),
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['ThingName', 'CSR'], additionalProperties: false }),
    });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'BAD_REQUEST_BODY', StatusCode: '400' });
  });

  test('no IAM user and no access keys: callers are granted with grantProvision', () => {
    template.resourceCountIs('AWS::IAM::User', 0);
    template.resourceCountIs('AWS::IAM::AccessKey', 0);
    const { stack, csrApi, template: fresh } = csrApiStack();
    const factory = new iam.Role(stack, 'FactoryLine', { assumedBy: new iam.AccountRootPrincipal() });
    csrApi.grantProvision(factory);
    const [statement] = statementsOfRole(fresh(), 'FactoryLine');
    expect(statement.Action).toBe('execute-api:Invoke');
    expect(JSON.stringify(statement.Resource)).toContain('/POST/provision/device');
  });

  test('the handler knows the shared policy; the policy is scoped to the connected thing', () => {
    const policies = template.findResources('AWS::IoT::Policy');
    const [policyId, policy] = Object.entries(policies)[0];
    expect(Object.keys(policies)).toHaveLength(1);
    expect(JSON.stringify(policy.Properties.PolicyDocument)).toContain('${iot:Connection.Thing.ThingName}');
    template.hasResourceProperties('AWS::Lambda::Function', {
      Description: Match.stringLikeRegexp('POST /provision/device'),
      Environment: { Variables: { DEVICE_POLICY_NAME: { Ref: policyId } } },
    });
  });

  test('the handler\'s role: "*" only for the actions without a resource type; AttachPolicy on the shared policy only', () => {
    const statements = statementsOfRole(template, 'FactoryHandlerRole');
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(['iot:CreateCertificateFromCsr', 'iot:DescribeEndpoint', 'iot:RegisterThing']);
    const attach = statements.find((statement) => actionsOf(statement).includes('iot:AttachPolicy'))!;
    expect(attach.Resource).toContainEqual({ 'Fn::GetAtt': [expect.stringMatching(/^FactoryDevicePolicy/), 'Arn'] });
    expect(statements.flatMap(actionsOf)).not.toContain('iot:DeleteThing');
  });

  test('allowedThingTypes reach the handler, and bad names are refused at synth', () => {
    const { template: withTypes } = csrApiStack({ allowedThingTypes: ['sensor', 'gateway'] });
    withTypes().hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ ALLOWED_THING_TYPES: '["sensor","gateway"]' }) },
    });
    expect(() => csrApiStack({ allowedThingTypes: ['no spaces please'] })).toThrow("allowedThingTypes: 'no spaces please' is not a thing type name");
  });

  test('another authorizer, or a clear error', () => {
    expect(() => csrApiStack({ apiAuthorization: { authorizationType: apigw.AuthorizationType.COGNITO } }))
      .toThrow('apiAuthorization.authorizer is required when apiAuthorization.authorizationType is COGNITO_USER_POOLS');
  });
});
