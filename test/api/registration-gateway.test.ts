import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { gatewayStack } from '../support/gateway-stack';
import { actionsOf, statementsOfRole } from '../support/jitr-stack';

function variablesOf(template: Template, descriptionPattern: string): Record<string, any> {
  const functions = template.findResources('AWS::Lambda::Function', { Properties: { Description: Match.stringLikeRegexp(descriptionPattern) } });
  expect(Object.keys(functions)).toHaveLength(1);
  return Object.values(functions)[0].Properties.Environment?.Variables ?? {};
}

describe('RegistrationGateway', () => {
  const { template: synth } = gatewayStack({
    thingTypes: {
      sensor: { attributes: ['model', 'site'] },
      gateway: { policyStatements: [new iam.PolicyStatement({ actions: ['iot:Connect'], resources: ['*'] })] },
    },
    defaultThingType: 'sensor',
  });
  const template = synth();

  test('POST /register behind a TOKEN authorizer on the Authorization header, uncached, with a body model', () => {
    template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
      Type: 'TOKEN',
      IdentitySource: 'method.request.header.Authorization',
      IdentityValidationExpression: '^Token \\S+$',
      AuthorizerResultTtlInSeconds: 0,
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'CUSTOM',
      RequestModels: { 'application/json': Match.anyValue() },
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({ required: ['thingName', 'version'], properties: Match.objectLike({ thingType: { type: 'string', enum: ['sensor', 'gateway'] } }) }),
    });
  });

  test('tokens live in Secrets Manager as hashes; only the authorizer reads them', () => {
    template.hasResourceProperties('AWS::SecretsManager::Secret', { SecretString: '{"tokens":[]}' });
    const secretId = Object.keys(template.findResources('AWS::SecretsManager::Secret'))[0];
    expect(variablesOf(template, '^Checks registration tokens')).toEqual({
      TOKEN_IDENTIFIER: 'Token', TOKENS_SECRET_ARN: { Ref: secretId }, SECRET_CACHE_SECONDS: '60',
    });
    expect(statementsOfRole(template, 'GatewayAuthorizerRole').flatMap(actionsOf)).toEqual(expect.arrayContaining(['secretsmanager:GetSecretValue']));
    expect(statementsOfRole(template, 'GatewayRegistrarRole').flatMap(actionsOf).filter((action) => action.startsWith('secretsmanager:'))).toEqual([]);
    template.resourceCountIs('AWS::SSM::Parameter', 0);
  });

  test('a thing type and a policy per device type; the registrar knows them, the default type and the token ledger', () => {
    template.resourceCountIs('AWS::IoT::ThingType', 2);
    template.hasResourceProperties('AWS::IoT::ThingType', { ThingTypeProperties: { SearchableAttributes: ['version', 'model', 'site'] } });
    const variables = variablesOf(template, '^Registers a device');
    // THING_TYPES is JSON with the thing types' and policies' names as references: read it with them stood in.
    const types = JSON.parse((variables.THING_TYPES['Fn::Join'][1] as unknown[]).map((part) => (typeof part === 'string' ? part : 'NAME')).join(''));
    expect(types).toEqual({
      sensor: { thingTypeName: 'NAME', policyName: 'NAME', attributes: ['model', 'site'] },
      gateway: { thingTypeName: 'NAME', policyName: 'NAME', attributes: [] },
    });
    expect(variables).toMatchObject({ DEFAULT_THING_TYPE: 'sensor', TOKEN_LEDGER_PREFIX: 'used-tokens', TOKEN_LEDGER_BUCKET: { Ref: expect.stringMatching(/^GatewayTokenLedger/) } });
    const gatewayPolicy = Object.entries(template.findResources('AWS::IoT::Policy')).find(([id]) => id.startsWith('GatewayPolicygateway'))!;
    expect(gatewayPolicy[1].Properties.PolicyDocument.Statement).toEqual([{ Action: 'iot:Connect', Effect: 'Allow', Resource: '*' }]);
  });

  test('the registrar: "*" only where AWS IoT has no resource type; policies attached are the types\' only; the ledger prefix only', () => {
    const statements = statementsOfRole(template, 'GatewayRegistrarRole');
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(['iot:CreateKeysAndCertificate', 'iot:DescribeEndpoint']);
    const attach = statements.find((statement) => actionsOf(statement).includes('iot:AttachPolicy'))!;
    expect(attach.Resource.filter((resource: any) => resource['Fn::GetAtt'])).toHaveLength(2);
    const ledger = statements.find((statement) => actionsOf(statement).includes('s3:PutObject'))!;
    expect(JSON.stringify(ledger.Resource)).toContain('/used-tokens/*');
  });

  test('registry events of things are archived to S3 by a topic rule, after THING events are turned on', () => {
    const rule = Object.values(template.findResources('AWS::IoT::TopicRule'))[0];
    expect(rule.Properties.TopicRulePayload).toMatchObject({
      Sql: "SELECT * FROM '$aws/events/thing/#'",
      Actions: [{ S3: { Key: 'events/${topic()}/${timestamp()}-${newuuid()}.json' } }],
      ErrorAction: { S3: { Key: 'errors/${timestamp()}-${newuuid()}.json' } },
    });
    expect(rule.DependsOn).toEqual([expect.stringMatching(/ThingEvents/)]);
    template.hasResourceProperties('Custom::IotRegistryEvents', { EventTypes: ['THING'] });
    template.resourceCountIs('AWS::IoTAnalytics::Datastore', 0);
  });

  test('options: a secret of your own, no archive, another identifier; bad props refused', () => {
    const { template: custom } = gatewayStack((stack) => ({
      tokensSecret: new secretsmanager.Secret(stack, 'Mine'),
      archiveRegistryEvents: false,
      tokenIdentifier: 'Bearer',
    }));
    const own = custom();
    own.resourceCountIs('AWS::SecretsManager::Secret', 1);
    own.resourceCountIs('AWS::IoT::TopicRule', 0);
    own.hasResourceProperties('AWS::ApiGateway::Authorizer', { IdentityValidationExpression: '^Bearer \\S+$' });
    expect(() => gatewayStack({ tokenIdentifier: 'two words' })).toThrow("tokenIdentifier 'two words' must be a word");
    expect(() => gatewayStack({ thingTypes: { 'bad type': {} } })).toThrow("thingTypes: 'bad type' is not a thing type name");
    expect(() => gatewayStack({ thingTypes: { s: { attributes: ['version'] } } })).toThrow("thingTypes.s.attributes: 'version'");
    expect(() => gatewayStack({ thingTypes: { a: {}, b: {} }, defaultThingType: 'c' })).toThrow("defaultThingType 'c' is not one of thingTypes (a, b)");
  });
});
