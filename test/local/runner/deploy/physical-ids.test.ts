import { ACCOUNT, REGION } from './support';
import { TEMPLATE_NAME, POLICY_NAME } from '../../../../local/iot/model/validation';
import { NAME_PROPERTY, physicalIdentity, type NamingContext } from '../../../../local/runner/deploy/physical-ids';

const context = (logicalId: string, extra: Partial<NamingContext> = {}): NamingContext => ({
  stackName: 'JitrDemo', logicalId, accountId: ACCOUNT, region: REGION, partition: 'aws', ...extra,
});

const SUFFIX = '[A-Z0-9]{12}';

describe('physicalIdentity', () => {
  describe('IAM roles', () => {
    test('a generated name is <stack>-<logical id>-<12 character suffix>, with the role ARN and a role id', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::IAM::Role', context('ActivatorRoleABC'));
      expect(physicalId).toMatch(new RegExp(`^JitrDemo-ActivatorRoleABC-${SUFFIX}$`));
      expect(attributes.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${physicalId}`);
      expect(attributes.RoleId).toMatch(/^AROA[A-Z0-9]{17}$/);
    });

    test('a long stack name and logical id are cut in the middle so the name fits 64 characters and keeps its suffix', () => {
      const stackName = 'AVeryLongStackNameForTesting';
      const logicalId = 'SomeDeeplyNestedConstructPathServiceRoleDefaultPolicy0123456789ABCDEF';
      const { physicalId } = physicalIdentity('AWS::IAM::Role', context(logicalId, { stackName }));
      expect(physicalId).toHaveLength(64);
      expect(physicalId.startsWith(`${stackName}-SomeDeeply`)).toBe(true);
      expect(physicalId).toMatch(new RegExp(`-${SUFFIX}$`));
    });

    test('two roles with the same logical id in the same stack get different names', () => {
      const first = physicalIdentity('AWS::IAM::Role', context('Role')).physicalId;
      const second = physicalIdentity('AWS::IAM::Role', context('Role')).physicalId;
      expect(first).not.toBe(second);
    });

    test('an explicit RoleName is used as is', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::IAM::Role', context('Role', { explicitName: 'my-role' }));
      expect(physicalId).toBe('my-role');
      expect(attributes.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/my-role`);
    });

    test('the partition goes into the ARN', () => {
      const { attributes } = physicalIdentity('AWS::IAM::Role', context('Role', { partition: 'aws-cn', explicitName: 'r' }));
      expect(attributes.Arn).toBe(`arn:aws-cn:iam::${ACCOUNT}:role/r`);
    });
  });

  test('a Lambda function: its name, and its ARN in the region', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::Lambda::Function', context('HandlerFunction'));
    expect(physicalId.length).toBeLessThanOrEqual(64);
    expect(physicalId).toMatch(new RegExp(`^JitrDemo-HandlerFunction-${SUFFIX}$`));
    expect(attributes.Arn).toBe(`arn:aws:lambda:${REGION}:${ACCOUNT}:function:${physicalId}`);
  });

  test('an SQS queue: Ref is its URL; Arn, QueueName and QueueUrl agree with it', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::SQS::Queue', context('BufferQueue'));
    const name = attributes.QueueName;
    expect(name).toMatch(new RegExp(`^JitrDemo-BufferQueue-${SUFFIX}$`));
    expect(physicalId).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/${name}`);
    expect(attributes.QueueUrl).toBe(physicalId);
    expect(attributes.Arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`);
  });

  test('an explicit QueueName names the URL and ARN', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::SQS::Queue', context('Q', { explicitName: 'orders' }));
    expect(physicalId).toBe(`https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/orders`);
    expect(attributes.Arn).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:orders`);
  });

  describe('S3 buckets', () => {
    test('a generated name is lower case, at most 63 characters, DNS-compatible, with ARN and domain names', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::S3::Bucket', context('JitrVaultBucketCCE20E18', { stackName: 'MyLongishStackNameForBuckets' }));
      expect(physicalId).toMatch(/^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$/);
      expect(physicalId.startsWith('mylongishstacknameforbuckets-jitrvault')).toBe(true);
      expect(attributes.Arn).toBe(`arn:aws:s3:::${physicalId}`);
      expect(attributes.DomainName).toBe(`${physicalId}.s3.amazonaws.com`);
      expect(attributes.RegionalDomainName).toBe(`${physicalId}.s3.${REGION}.amazonaws.com`);
      expect(attributes.DualStackDomainName).toBe(`${physicalId}.s3.dualstack.${REGION}.amazonaws.com`);
    });

    test('a long logical id still gives at most 63 characters', () => {
      const { physicalId } = physicalIdentity('AWS::S3::Bucket', context('A'.repeat(100)));
      expect(physicalId).toHaveLength(63);
      expect(physicalId).toBe(physicalId.toLowerCase());
    });

    test('an explicit BucketName is kept', () => {
      expect(physicalIdentity('AWS::S3::Bucket', context('B', { explicitName: 'my.bucket-1' })).physicalId).toBe('my.bucket-1');
    });
  });

  test('a KMS key: Ref is the key id (a UUID), Arn names it', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::KMS::Key', context('VaultKey'));
    expect(physicalId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
    expect(attributes.KeyId).toBe(physicalId);
    expect(attributes.Arn).toBe(`arn:aws:kms:${REGION}:${ACCOUNT}:key/${physicalId}`);
  });

  describe('AWS IoT', () => {
    test('a policy: its name, an Arn and an Id', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::IoT::Policy', context('DevicePolicy'));
      expect(physicalId).toMatch(new RegExp(`^DevicePolicy-${SUFFIX}$`));
      expect(attributes).toEqual({ Arn: `arn:aws:iot:${REGION}:${ACCOUNT}:policy/${physicalId}`, Id: physicalId });
    });

    test('a policy generated from a very long logical id is a valid policy name (at most 128 characters)', () => {
      const { physicalId } = physicalIdentity('AWS::IoT::Policy', context(`Device${'X'.repeat(200)}`));
      expect(physicalId).toMatch(POLICY_NAME);
      expect(physicalId).toMatch(new RegExp(`-${SUFFIX}$`));
    });

    test('a topic rule name has only letters, digits and underscores, at most 128', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::IoT::TopicRule', context('ActivatorTopicRule4941FC75'));
      expect(physicalId).toMatch(/^ActivatorTopicRule4941FC75_[A-Z0-9]{12}$/);
      expect(attributes.Arn).toBe(`arn:aws:iot:${REGION}:${ACCOUNT}:rule/${physicalId}`);
      const long = physicalIdentity('AWS::IoT::TopicRule', context('R'.repeat(300))).physicalId;
      expect(long).toMatch(/^[A-Za-z0-9_]{1,128}$/);
    });

    test('a provisioning template: TemplateName and TemplateArn', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::IoT::ProvisioningTemplate', context('FleetTemplate'));
      expect(physicalId).toMatch(new RegExp(`^FleetTemplate-${SUFFIX}$`));
      expect(attributes).toEqual({ TemplateName: physicalId, TemplateArn: `arn:aws:iot:${REGION}:${ACCOUNT}:provisioningtemplate/${physicalId}` });
    });

    test('a provisioning template generated from a CDK-length logical id fits the 36-character template name limit', () => {
      // A template nested in a construct gets a logical id like this one.
      const { physicalId } = physicalIdentity('AWS::IoT::ProvisioningTemplate', context('FleetProvisioningClaimTemplate8D2F3A1B'));
      expect(physicalId).toMatch(TEMPLATE_NAME);
      expect(physicalId).toMatch(new RegExp(`^FleetProvisioning.*-${SUFFIX}$`));
    });

    test('a role alias (not run, but policies name it): Ref is its name, RoleAliasArn its ARN', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::IoT::RoleAlias', context('GreengrassRoleAlias1A2B3C4D'));
      expect(physicalId).toMatch(new RegExp(`^GreengrassRoleAlias1A2B3C4D-${SUFFIX}$`));
      expect(attributes).toEqual({ RoleAliasArn: `arn:aws:iot:${REGION}:${ACCOUNT}:rolealias/${physicalId}` });
      expect(physicalIdentity('AWS::IoT::RoleAlias', context('Alias', { explicitName: 'TokenExchange' })).physicalId).toBe('TokenExchange');
    });
  });

  describe('API Gateway', () => {
    test('a REST API id and its root resource id are 10 lower-case alphanumerics', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::ApiGateway::RestApi', context('Api'));
      expect(physicalId).toMatch(/^[a-z0-9]{10}$/);
      expect(attributes.RootResourceId).toMatch(/^[a-z0-9]{10}$/);
    });

    test('a resource id is also its ResourceId attribute', () => {
      const { physicalId, attributes } = physicalIdentity('AWS::ApiGateway::Resource', context('ApiRes'));
      expect(physicalId).toMatch(/^[a-z0-9]{6}$/);
      expect(attributes.ResourceId).toBe(physicalId);
    });

    test('a stage is named by StageName, prod by default', () => {
      expect(physicalIdentity('AWS::ApiGateway::Stage', context('Stage')).physicalId).toBe('prod');
      expect(physicalIdentity('AWS::ApiGateway::Stage', context('Stage', { explicitName: 'v1' })).physicalId).toBe('v1');
    });

    test('a model name is alphanumeric', () => {
      expect(physicalIdentity('AWS::ApiGateway::Model', context('Api-Model_1')).physicalId).toMatch(/^ApiModel1[A-Z0-9]{6}$/);
    });
  });

  test('a customer managed policy: Ref is its ARN, also PolicyArn', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::IAM::ManagedPolicy', context('Shared', { explicitName: 'shared-access' }));
    expect(physicalId).toBe(`arn:aws:iam::${ACCOUNT}:policy/shared-access`);
    expect(attributes.PolicyArn).toBe(physicalId);
  });

  test('a log group name and its ARN', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::Logs::LogGroup', context('Logs', { explicitName: '/aws/lambda/x' }));
    expect(physicalId).toBe('/aws/lambda/x');
    expect(attributes.Arn).toBe(`arn:aws:logs:${REGION}:${ACCOUNT}:log-group:/aws/lambda/x:*`);
  });

  test('an event source mapping id is a UUID', () => {
    expect(physicalIdentity('AWS::Lambda::EventSourceMapping', context('Esm')).physicalId).toMatch(/^[0-9a-f-]{36}$/);
  });

  test('an unknown type gets <logical id>-<suffix> and no attributes', () => {
    const { physicalId, attributes } = physicalIdentity('AWS::Foo::Bar', context('Thing'));
    expect(physicalId).toMatch(new RegExp(`^Thing-${SUFFIX}$`));
    expect(attributes).toEqual({});
  });

  test('NAME_PROPERTY names the property of each type the template may name', () => {
    expect(NAME_PROPERTY['AWS::IAM::Role']).toBe('RoleName');
    expect(NAME_PROPERTY['AWS::S3::Bucket']).toBe('BucketName');
    expect(NAME_PROPERTY['AWS::IoT::TopicRule']).toBe('RuleName');
    expect(NAME_PROPERTY['AWS::KMS::Key']).toBeUndefined();
  });
});
