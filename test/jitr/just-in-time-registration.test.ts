import { Duration } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { KeyAlgorithm } from '../../src';
import { actionsOf, jitrStack, statementsOfRole } from '../support/jitr-stack';

describe('JustInTimeRegistration resources', () => {
  const { template: synth } = jitrStack();
  const template: Template = synth();

  // Destroyed with the stack by default since the security review (issue 10): RETAIN is a removalPolicy away (test/security/destroy.test.ts).
  test('the vault bucket is SSE-KMS under a rotating customer key, versioned, private, TLS-only, and emptied and deleted with the stack', () => {
    template.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    template.hasResource('AWS::S3::Bucket', {
      Properties: {
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{
            BucketKeyEnabled: true,
            ServerSideEncryptionByDefault: { SSEAlgorithm: 'aws:kms', KMSMasterKeyID: Match.anyValue() },
          }],
        },
        VersioningConfiguration: { Status: 'Enabled' },
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true,
        },
        LoggingConfiguration: Match.objectLike({ LogFilePrefix: 'vault/' }),
      },
      DeletionPolicy: 'Delete',
    });
    template.hasResourceProperties('Custom::S3AutoDeleteObjects', { BucketName: { Ref: Match.stringLikeRegexp('^JitrVaultBucket') } });
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
        ]),
      },
    });
  });

  test('only the CA registrator role may read CA private keys', () => {
    template.hasResourceProperties('AWS::S3::BucketPolicy', {
      PolicyDocument: {
        Statement: Match.arrayWith([Match.objectLike({
          Sid: 'OnlyCaKeyHoldersReadCaPrivateKeys',
          Effect: 'Deny',
          Principal: { AWS: '*' },
          Action: ['s3:GetObject', 's3:GetObjectVersion'],
          Resource: { 'Fn::Join': ['', [Match.objectLike({ 'Fn::GetAtt': [Match.stringLikeRegexp('JitrVaultBucket'), 'Arn'] }), '/*/ca.private_key.pem']] },
          Condition: { ArnNotEquals: { 'aws:PrincipalArn': [{ 'Fn::GetAtt': [Match.stringLikeRegexp('^JitrCaRegistratorHandlerRole'), 'Arn'] }] } },
        })]),
      },
    });
    const activatorStatements = statementsOfRole(template, 'JitrActivatorHandlerRole');
    expect(activatorStatements.flatMap(actionsOf).filter((action) => action.startsWith('s3:'))).toEqual([]);
  });

  test('handlers run Node.js 24 on arm64 with JSON logs, and nothing has a hard-coded physical name', () => {
    const functions = template.findResources('AWS::Lambda::Function', { Properties: { Handler: 'index.handler', Architectures: ['arm64'] } });
    expect(Object.keys(functions)).toHaveLength(2);
    for (const fn of Object.values(functions)) {
      expect(fn.Properties.Runtime).toBe('nodejs24.x');
      expect(fn.Properties.LoggingConfig).toMatchObject({ LogFormat: 'JSON', ApplicationLogLevel: 'INFO' });
    }
    const namedProperties = ['FunctionName', 'RoleName', 'QueueName', 'BucketName', 'PolicyName', 'RuleName', 'TopicName', 'AlarmName', 'Name'];
    for (const [type, named] of [
      ['AWS::Lambda::Function', 'FunctionName'], ['AWS::IAM::Role', 'RoleName'], ['AWS::SQS::Queue', 'QueueName'],
      ['AWS::S3::Bucket', 'BucketName'], ['AWS::IoT::Policy', 'PolicyName'], ['AWS::IoT::TopicRule', 'RuleName'],
      ['AWS::CloudWatch::Alarm', 'AlarmName'], ['AWS::Logs::LogGroup', 'LogGroupName'],
    ] as const) {
      for (const resource of Object.values(template.findResources(type))) {
        expect(resource.Properties?.[named]).toBeUndefined();
      }
    }
    expect(namedProperties.length).toBeGreaterThan(0);
  });

  test('a topic rule sends every certificate-registered event into the queue, errors into the DLQ', () => {
    template.hasResourceProperties('AWS::IoT::TopicRule', {
      TopicRulePayload: {
        Sql: "SELECT * FROM '$aws/events/certificates/registered/+'",
        AwsIotSqlVersion: '2016-03-23',
        RuleDisabled: false,
        Actions: [{ Sqs: { QueueUrl: { Ref: Match.stringLikeRegexp('^JitrActivatorBufferQueue') }, UseBase64: false, RoleArn: Match.anyValue() } }],
        ErrorAction: { Sqs: { QueueUrl: { Ref: Match.stringLikeRegexp('^JitrActivatorBufferDeadLetterQueue') }, UseBase64: false, RoleArn: Match.anyValue() } },
      },
    });
    template.hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [Match.objectLike({
          Principal: { Service: 'iot.amazonaws.com' },
          Condition: { StringEquals: { 'aws:SourceAccount': '111122223333' } },
        })],
      },
    });
  });

  test('the queue is encrypted, TLS-only, redrives to an encrypted DLQ, and the DLQ has an alarm', () => {
    template.hasResourceProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      VisibilityTimeout: 360,
      RedrivePolicy: { maxReceiveCount: 5, deadLetterTargetArn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JitrActivatorBufferDeadLetterQueue'), 'Arn'] } },
    });
    const queues = template.findResources('AWS::SQS::Queue');
    expect(Object.values(queues).every((queue) => queue.Properties.SqsManagedSseEnabled === true)).toBe(true);
    template.resourceCountIs('AWS::SQS::QueuePolicy', 2);
    template.hasResourceProperties('AWS::CloudWatch::Alarm', {
      MetricName: 'ApproximateNumberOfMessagesVisible',
      Namespace: 'AWS/SQS',
      Threshold: 1,
      ComparisonOperator: 'GreaterThanOrEqualToThreshold',
      Dimensions: [{ Name: 'QueueName', Value: { 'Fn::GetAtt': [Match.stringLikeRegexp('^JitrActivatorBufferDeadLetterQueue'), 'QueueName'] } }],
    });
  });

  test('the activator reads the queue in batches with partial failures, at a concurrency sized for AWS IoT', () => {
    template.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: 5,
      FunctionResponseTypes: ['ReportBatchItemFailures'],
      ScalingConfig: { MaximumConcurrency: 2 },
    });
    template.hasResourceProperties('AWS::Lambda::Function', {
      ReservedConcurrentExecutions: 2,
      Environment: { Variables: Match.objectLike({ DEVICE_POLICY_NAME: { Ref: Match.stringLikeRegexp('^JitrDevicePolicy') } }) },
    });
  });

  test('one shared device policy, scoped to the connected thing name', () => {
    template.resourceCountIs('AWS::IoT::Policy', 1);
    const [policy] = Object.values(template.findResources('AWS::IoT::Policy'));
    const document = JSON.stringify(policy.Properties.PolicyDocument);
    expect(document).toContain('client/${iot:Connection.Thing.ThingName}');
    expect(document).toContain('topicfilter/things/${iot:Connection.Thing.ThingName}/*');
    expect(document).toContain('"iot:Connection.Thing.IsAttached":"true"');
    for (const statement of policy.Properties.PolicyDocument.Statement) {
      expect(statement.Resource).not.toEqual('*');
    }
  });

  test('POST /caRegister is IAM-authorized and its body is validated against a model', () => {
    template.hasResourceProperties('AWS::ApiGateway::Resource', { PathPart: 'caRegister' });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      AuthorizationType: 'AWS_IAM',
      RequestValidatorId: Match.anyValue(),
      RequestModels: { 'application/json': Match.anyValue() },
      Integration: Match.objectLike({ Type: 'AWS_PROXY' }),
    });
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', { ValidateRequestBody: true });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      Schema: Match.objectLike({
        additionalProperties: false,
        properties: Match.objectLike({ keyAlgorithm: { type: 'string', enum: Object.values(KeyAlgorithm) } }),
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Stage', { AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }) });
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', { ResponseType: 'BAD_REQUEST_BODY', StatusCode: '400' });
  });

  test('the activator holds only the IoT actions it needs, on scoped ARNs, and may invoke the verifier', () => {
    const statements = statementsOfRole(template, 'JitrActivatorHandlerRole');
    const iotStatements = statements.filter((statement) => actionsOf(statement).some((action) => action.startsWith('iot:')));
    expect(iotStatements.flatMap(actionsOf).sort()).toEqual([
      'iot:AttachPolicy', 'iot:AttachThingPrincipal', 'iot:CreateThing', 'iot:DescribeCACertificate',
      'iot:DescribeCertificate', 'iot:ListTagsForResource', 'iot:ListThingPrincipals', 'iot:UpdateCertificate',
    ]);
    for (const statement of iotStatements) expect(statement.Resource).not.toEqual('*');
    const invoke = statements.find((statement) => actionsOf(statement).includes('lambda:InvokeFunction'));
    expect(JSON.stringify(invoke?.Resource)).toContain('AllowListVerifier');
  });

  test('the CA registrator uses "*" only for the two IoT actions that have no resource type', () => {
    const statements = statementsOfRole(template, 'JitrCaRegistratorHandlerRole');
    const wildcard = statements.filter((statement) => statement.Resource === '*');
    expect(wildcard.flatMap(actionsOf).sort()).toEqual(['iot:GetRegistrationCode', 'iot:RegisterCACertificate']);
    expect(statements.flatMap(actionsOf)).toEqual(expect.arrayContaining(['s3:GetObject', 's3:PutObject', 's3:DeleteObject', 'kms:Decrypt']));
  });
});

describe('JustInTimeRegistration options', () => {
  test('a bucket and key of your own, with a prefix, are used as they are', () => {
    const { template } = jitrStack((stack) => ({
      vault: { bucket: new s3.Bucket(stack, 'OwnBucket'), encryptionKey: new kms.Key(stack, 'OwnKey'), prefix: '/ca/vault/' },
    }));
    const t = template();
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: {
        Variables: Match.objectLike({
          VAULT_BUCKET: { Ref: Match.stringLikeRegexp('^OwnBucket') },
          VAULT_KEY_ARN: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OwnKey'), 'Arn'] },
          VAULT_PREFIX: 'ca/vault',
        }),
      },
    });
    // No vault bucket or key of the construct's own.
    t.resourceCountIs('AWS::S3::Bucket', 1);
    t.resourceCountIs('AWS::KMS::Key', 1);
  });

  test('another authorizer, or NONE when said explicitly', () => {
    const { template } = jitrStack({ apiAuthorization: { authorizationType: apigw.AuthorizationType.NONE } });
    template().hasResourceProperties('AWS::ApiGateway::Method', { HttpMethod: 'POST', AuthorizationType: 'NONE' });
  });

  test('grantCaRegister gives execute-api:Invoke on POST /caRegister only', () => {
    const { stack, jitr, template } = jitrStack();
    const caller = new iam.Role(stack, 'Caller', { assumedBy: new iam.AccountRootPrincipal() });
    jitr.grantCaRegister(caller);
    const [statement] = statementsOfRole(template(), 'Caller');
    expect(statement.Action).toBe('execute-api:Invoke');
    expect(JSON.stringify(statement.Resource)).toContain('/POST/caRegister');
  });

  test('custom device policy statements and settings reach the template', () => {
    const { template } = jitrStack({
      devicePolicyStatements: [new iam.PolicyStatement({ actions: ['iot:Connect'], resources: ['arn:aws:iot:eu-west-1:111122223333:client/${iot:Connection.Thing.ThingName}'] })],
      activatorConcurrency: 4,
      maxReceiveCount: 3,
      defaultCaKeyAlgorithm: KeyAlgorithm.RSA_3072,
      defaultCaValidity: Duration.days(365),
    });
    const t = template();
    t.hasResourceProperties('AWS::IoT::Policy', {
      PolicyDocument: { Statement: [Match.objectLike({ Action: 'iot:Connect' })] },
    });
    t.hasResourceProperties('AWS::Lambda::EventSourceMapping', { ScalingConfig: { MaximumConcurrency: 4 } });
    t.hasResourceProperties('AWS::SQS::Queue', { RedrivePolicy: Match.objectLike({ maxReceiveCount: 3 }) });
    t.hasResourceProperties('AWS::Lambda::Function', {
      Environment: { Variables: Match.objectLike({ DEFAULT_KEY_ALGORITHM: 'RSA-3072', DEFAULT_CA_VALIDITY_DAYS: '365' }) },
    });
  });

  test.each([
    [{ verifiers: { 'bad name!': undefined as any } }, /verifiers: the name 'bad name!'/],
    [{ apiAuthorization: { authorizationType: apigw.AuthorizationType.CUSTOM } }, /apiAuthorization.authorizer is required/],
    [{ activatorConcurrency: 1 }, /activatorConcurrency must be an integer from 2 to 100/],
    [{ maxReceiveCount: 0 }, /maxReceiveCount must be an integer from 1 to 1000/],
    [{ vault: { prefix: 'a b' } }, /vault.prefix 'a b'/],
    [{ devicePolicyStatements: [] }, /devicePolicyStatements must hold at least one statement/],
    [{ devicePolicyStatements: [new iam.PolicyStatement({ actions: ['s3:GetObject'], resources: ['*'] })] }, /'s3:GetObject' is not an action an AWS IoT policy grants/],
    [{ defaultCaValidity: Duration.days(20000) }, /defaultCaValidity must be a whole number of days/],
  ])('invalid props are refused with a message naming the prop (%#)', (props, message) => {
    expect(() => jitrStack(props as any)).toThrow(message);
  });
});
