import { ACCOUNT, byLogicalId, REGION, resolved, stackOf, TARGET } from './support';
import { resolveStack } from '../../../../local/runner/deploy/resolve-stack';

describe('resolveStack', () => {
  test('every resource gets its identity, and Ref / Fn::GetAtt in properties resolve to it', () => {
    const stack = resolved({
      Reader: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'reader',
          Roles: [{ Ref: 'Role' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:ReceiveMessage', Resource: { 'Fn::GetAtt': ['Queue', 'Arn'] } }] },
        },
      },
      Role: { Type: 'AWS::IAM::Role', Properties: {} },
      Queue: { Type: 'AWS::SQS::Queue', Properties: {} },
    });
    const role = byLogicalId(stack, 'Role');
    const queue = byLogicalId(stack, 'Queue');
    const policy = byLogicalId(stack, 'Reader');
    expect(stack.resources.map((resource) => resource.logicalId)).toEqual(['Reader', 'Role', 'Queue']);
    expect(policy.properties.Roles).toEqual([role.physicalId]);
    expect((policy.properties.PolicyDocument as any).Statement[0].Resource).toBe(queue.attributes.Arn);
    expect(queue.attributes.Arn).toMatch(new RegExp(`^arn:aws:sqs:${REGION}:${ACCOUNT}:TestStack-Queue-`));
    expect(stack.resources.every((resource) => resource.stackName === 'TestStack')).toBe(true);
  });

  test('pseudo parameters resolve to the target, partition included', () => {
    const stack = resolveStack(stackOf({
      Topic: {
        Type: 'AWS::Foo::Bar',
        Properties: {
          Where: { 'Fn::Join': [':', [{ Ref: 'AWS::Partition' }, { Ref: 'AWS::Region' }, { Ref: 'AWS::AccountId' }, { Ref: 'AWS::StackName' }]] },
          Suffix: { Ref: 'AWS::URLSuffix' },
        },
      },
    }), { accountId: ACCOUNT, region: 'cn-north-1', partition: 'aws-cn' });
    expect(byLogicalId(stack, 'Topic').properties).toEqual({ Where: `aws-cn:cn-north-1:${ACCOUNT}:TestStack`, Suffix: 'amazonaws.com.cn' });
  });

  test('a name that refers to another resource is resolved once that resource has its identity, whatever the template order', () => {
    const stack = resolved({
      Role: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Join': ['-', [{ Ref: 'Bucket' }, 'writer']] } } },
      Bucket: { Type: 'AWS::S3::Bucket', Properties: { BucketName: { 'Fn::Sub': '${AWS::AccountId}-vault' } } },
      Fn: { Type: 'AWS::Lambda::Function', Properties: { FunctionName: { 'Fn::Sub': '${Role}-fn' } } },
    });
    expect(byLogicalId(stack, 'Bucket').physicalId).toBe(`${ACCOUNT}-vault`);
    expect(byLogicalId(stack, 'Role').physicalId).toBe(`${ACCOUNT}-vault-writer`);
    expect(byLogicalId(stack, 'Role').attributes.Arn).toBe(`arn:aws:iam::${ACCOUNT}:role/${ACCOUNT}-vault-writer`);
    expect(byLogicalId(stack, 'Fn').physicalId).toBe(`${ACCOUNT}-vault-writer-fn`);
  });

  test('names that refer to each other cannot be given, and the error names both resources', () => {
    expect(() => resolved({
      A: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': '${B}-a' } } },
      B: { Type: 'AWS::IAM::Role', Properties: { RoleName: { 'Fn::Sub': '${A}-b' } } },
      C: { Type: 'AWS::IAM::Role', Properties: { RoleName: 'c' } },
    })).toThrow('TestStack: cannot name A, B: their names refer to each other');
  });

  test('a name that is AWS::NoValue (Fn::If without a name) leaves the name to be generated', () => {
    const stack = resolved({
      Role: {
        Type: 'AWS::IAM::Role',
        Properties: { RoleName: { 'Fn::If': ['Named', 'named-role', { Ref: 'AWS::NoValue' }] } },
      },
    }, { extra: { Conditions: { Named: { 'Fn::Equals': ['a', 'b'] } } } });
    const role = byLogicalId(stack, 'Role');
    expect(role.physicalId).toMatch(/^TestStack-Role-[A-Z0-9]{12}$/);
    expect(role.properties.RoleName).toBeUndefined();
  });

  test('parameters resolve to their defaults', () => {
    const stack = resolved({
      Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: { Ref: 'QueueNameParam' }, VisibilityTimeout: { Ref: 'Visibility' } } },
    }, { extra: { Parameters: { QueueNameParam: { Type: 'String', Default: 'jobs' }, Visibility: { Type: 'Number', Default: 45 } } } });
    const queue = byLogicalId(stack, 'Queue');
    expect(queue.attributes.QueueName).toBe('jobs');
    expect(queue.properties.VisibilityTimeout).toBe('45');
  });

  test('a parameter without a default cannot be resolved', () => {
    expect(() => resolved({
      Queue: { Type: 'AWS::SQS::Queue', Properties: { DelaySeconds: { Ref: 'Delay' } } },
    }, { extra: { Parameters: { Delay: { Type: 'Number' } } } })).toThrow(/Delay/);
  });

  describe('conditions', () => {
    const conditions = {
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      IsDev: { 'Fn::Not': [{ Condition: 'IsProd' }] },
    };
    const extra = { Parameters: { Env: { Type: 'String', Default: 'dev' } }, Conditions: conditions };

    test('a resource whose condition is false is skipped; the others are created', () => {
      const stack = resolved({
        ProdQueue: { Type: 'AWS::SQS::Queue', Condition: 'IsProd', Properties: {} },
        DevQueue: { Type: 'AWS::SQS::Queue', Condition: 'IsDev', Properties: {} },
        Always: { Type: 'AWS::SQS::Queue', Properties: {} },
      }, { extra });
      expect(stack.skipped).toEqual(['ProdQueue']);
      expect(stack.resources.map((resource) => resource.logicalId)).toEqual(['DevQueue', 'Always']);
    });

    test('Fn::If in properties picks by condition, and AWS::NoValue removes the property', () => {
      const stack = resolved({
        Queue: {
          Type: 'AWS::SQS::Queue',
          Properties: {
            VisibilityTimeout: { 'Fn::If': ['IsProd', 300, 30] },
            MessageRetentionPeriod: { 'Fn::If': ['IsProd', 1209600, { Ref: 'AWS::NoValue' }] },
          },
        },
      }, { extra });
      expect(byLogicalId(stack, 'Queue').properties).toEqual({ VisibilityTimeout: 30 });
    });

    test('outputs resolve; an output whose condition is false is left out', () => {
      const stack = resolved({
        Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'work' } },
      }, {
        extra: {
          ...extra,
          Outputs: {
            QueueUrl: { Value: { Ref: 'Queue' } },
            QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] } },
            ProdOnly: { Condition: 'IsProd', Value: 'prod' },
            DevOnly: { Condition: 'IsDev', Value: { 'Fn::Sub': '${AWS::StackName}-dev' } },
          },
        },
      });
      expect(stack.outputs).toEqual({
        QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/work`,
        QueueArn: `arn:aws:sqs:${REGION}:${ACCOUNT}:work`,
        DevOnly: 'TestStack-dev',
      });
    });
  });

  test('mappings resolve with Fn::FindInMap', () => {
    const stack = resolved({
      Queue: { Type: 'AWS::SQS::Queue', Properties: { VisibilityTimeout: { 'Fn::FindInMap': ['Settings', { Ref: 'AWS::Region' }, 'Visibility'] } } },
    }, { extra: { Mappings: { Settings: { [REGION]: { Visibility: 90 } } } } });
    expect(byLogicalId(stack, 'Queue').properties.VisibilityTimeout).toBe(90);
  });

  test('what cannot be resolved locally fails with the path of the property', () => {
    expect(() => resolved({
      Fn: { Type: 'AWS::Foo::Bar', Properties: { Imported: { 'Fn::ImportValue': 'OtherStack:Export' } } },
    })).toThrow(/TestStack\/Fn\.Properties.*Imported/);
  });

  test('a reference to a resource that is not in the stack fails', () => {
    expect(() => resolved({
      Policy: { Type: 'AWS::Foo::Bar', Properties: { Target: { 'Fn::GetAtt': ['Missing', 'Arn'] } } },
    })).toThrow(/Missing/);
  });

  test('the result keeps the stack and its name', () => {
    const assembly = stackOf({}, { stackName: 'Other' });
    const stack = resolveStack(assembly, TARGET);
    expect(stack.stackName).toBe('Other');
    expect(stack.stack).toBe(assembly);
    expect(stack.resources).toEqual([]);
    expect(stack.outputs).toEqual({});
  });
});
