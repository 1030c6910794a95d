import { ACCOUNT, byLogicalId, lambdaRole, REGION, resolved } from './support';
import { loadIamFromTemplate } from '../../../../local/runner/deploy/iam-from-template';
import { managedPolicyDocument } from '../../../../local/runner/deploy/managed-policies';
import { LocalIam } from '../../../../local/runner/iam';

const QUEUE_ARN = `arn:aws:sqs:${REGION}:${ACCOUNT}:jobs`;

function allowed(iam: LocalIam, roleArn: string, action: string, resource: string): boolean {
  return iam.authorize({ principal: { arn: roleArn, accountId: ACCOUNT }, action, resource }).allowed;
}

describe('managedPolicyDocument', () => {
  test('knows the AWS managed policies the stacks attach, in any partition', () => {
    const basic = managedPolicyDocument('arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole');
    expect(basic?.Statement).toEqual([expect.objectContaining({ Action: expect.arrayContaining(['logs:PutLogEvents']) })]);
    expect(managedPolicyDocument('arn:aws-cn:iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole')).toBeDefined();
    expect(managedPolicyDocument('arn:aws:iam::aws:policy/service-role/AWSIoTThingsRegistration')).toBeDefined();
    expect(managedPolicyDocument('arn:aws:iam::aws:policy/service-role/AWSIoTLogging')).toBeDefined();
  });

  test('answers nothing for unknown policies, customer policies and malformed ARNs (never allow-all)', () => {
    expect(managedPolicyDocument('arn:aws:iam::aws:policy/AdministratorAccess')).toBeUndefined();
    expect(managedPolicyDocument(`arn:aws:iam::${ACCOUNT}:policy/service-role/AWSLambdaBasicExecutionRole`)).toBeUndefined();
    expect(managedPolicyDocument('service-role/AWSLambdaBasicExecutionRole')).toBeUndefined();
  });
});

describe('loadIamFromTemplate', () => {
  test("a role's inline policies grant what they say, and nothing else", () => {
    const stack = resolved({ Role: lambdaRole([{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: QUEUE_ARN }]) });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([]);
    const roleArn = byLogicalId(stack, 'Role').attributes.Arn;
    expect(allowed(iam, roleArn, 'sqs:SendMessage', QUEUE_ARN)).toBe(true);
    expect(allowed(iam, roleArn, 'sqs:SendMessage', `${QUEUE_ARN}-other`)).toBe(false);
    expect(allowed(iam, roleArn, 'sqs:DeleteMessage', QUEUE_ARN)).toBe(false);
  });

  test("a role's trust policy (as JSON or as a JSON string) is what sts:AssumeRole is checked against", () => {
    const trust = { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'iot.amazonaws.com' }, Action: 'sts:AssumeRole' }] };
    const stack = resolved({
      Lambda: lambdaRole(),
      Iot: { Type: 'AWS::IAM::Role', Properties: { AssumeRolePolicyDocument: JSON.stringify(trust) } },
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    loadIamFromTemplate(iam, stack.resources);
    const assume = (roleId: string, service: string) => iam.authorize({
      principal: { arn: service, accountId: ACCOUNT, service },
      action: 'sts:AssumeRole',
      resource: byLogicalId(stack, roleId).attributes.Arn,
      resourcePolicy: iam.trustPolicyOf(byLogicalId(stack, roleId).attributes.Arn),
    }).allowed;
    expect(iam.trustPolicyOf(byLogicalId(stack, 'Iot').attributes.Arn)).toEqual(trust);
    expect(assume('Iot', 'iot.amazonaws.com')).toBe(true);
    expect(assume('Iot', 'lambda.amazonaws.com')).toBe(false);
    expect(assume('Lambda', 'lambda.amazonaws.com')).toBe(true);
    expect(assume('Lambda', 'iot.amazonaws.com')).toBe(false);
    expect(iam.hasRole(byLogicalId(stack, 'Iot').attributes.Arn)).toBe(true);
    expect(iam.hasRole(`arn:aws:iam::${ACCOUNT}:role/elsewhere`)).toBe(false);
  });

  test('a role without policies exists (it has credentials) and may do nothing', () => {
    const stack = resolved({ Role: lambdaRole() });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    loadIamFromTemplate(iam, stack.resources);
    const roleArn = byLogicalId(stack, 'Role').attributes.Arn;
    expect(iam.credentialsFor(roleArn).accessKeyId).toMatch(/^ASIA/);
    expect(allowed(iam, roleArn, 'sqs:SendMessage', QUEUE_ARN)).toBe(false);
  });

  test('AWS::IAM::Policy attaches to the roles it names (by Ref, i.e. role name), in any template order', () => {
    const stack = resolved({
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'p',
          Roles: [{ Ref: 'First' }, { Ref: 'Second' }],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 's3:GetObject', Resource: 'arn:aws:s3:::vault/*' }] },
        },
      },
      First: lambdaRole(),
      Second: lambdaRole(),
      Third: lambdaRole(),
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([]);
    for (const logicalId of ['First', 'Second']) {
      expect(allowed(iam, byLogicalId(stack, logicalId).attributes.Arn, 's3:GetObject', 'arn:aws:s3:::vault/ca.pem')).toBe(true);
    }
    expect(allowed(iam, byLogicalId(stack, 'Third').attributes.Arn, 's3:GetObject', 'arn:aws:s3:::vault/ca.pem')).toBe(false);
  });

  test('a policy naming a role by ARN attaches to that role', () => {
    const outside = `arn:aws:iam::${ACCOUNT}:role/imported`;
    const stack = resolved({
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: { PolicyName: 'p', Roles: [outside], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' }] } },
      },
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([]);
    expect(allowed(iam, outside, 'kms:Decrypt', 'arn:aws:kms:x')).toBe(true);
  });

  test('a policy naming a role that is not in the stack is reported and attaches to nothing', () => {
    const stack = resolved({
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: { PolicyName: 'p', Roles: ['somebody-else'], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      },
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([
      'TestStack/Policy: role somebody-else is not in the stack, so the policy is attached to nothing',
    ]);
    expect(iam.policiesOf('somebody-else')).toEqual([]);
  });

  test('AWS managed policies are attached by ARN; an unknown one is reported and grants nothing', () => {
    const stack = resolved({
      Role: lambdaRole([], {
        ManagedPolicyArns: [
          { 'Fn::Join': ['', ['arn:', { Ref: 'AWS::Partition' }, ':iam::aws:policy/service-role/AWSLambdaSQSQueueExecutionRole']] },
          'arn:aws:iam::aws:policy/AdministratorAccess',
        ],
      }),
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([
      'TestStack/Role: managed policy arn:aws:iam::aws:policy/AdministratorAccess is not known locally, so it grants nothing here',
    ]);
    const roleArn = byLogicalId(stack, 'Role').attributes.Arn;
    for (const action of ['sqs:ReceiveMessage', 'sqs:DeleteMessage', 'sqs:GetQueueAttributes', 'logs:PutLogEvents']) {
      expect(allowed(iam, roleArn, action, QUEUE_ARN)).toBe(true);
    }
    expect(allowed(iam, roleArn, 'sqs:SendMessage', QUEUE_ARN)).toBe(false);
    expect(allowed(iam, roleArn, 'iam:CreateUser', '*')).toBe(false);
  });

  test("a customer managed policy of the stack applies both through the role's ManagedPolicyArns and its own Roles", () => {
    const stack = resolved({
      Shared: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iot:CreateThing', Resource: '*' }] } },
      },
      ByArn: lambdaRole([], { ManagedPolicyArns: [{ Ref: 'Shared' }] }),
      Listed: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { Roles: [{ Ref: 'ByRoles' }], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'iot:DescribeThing', Resource: '*' }] } },
      },
      ByRoles: lambdaRole(),
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([]);
    const byArn = byLogicalId(stack, 'ByArn').attributes.Arn;
    const byRoles = byLogicalId(stack, 'ByRoles').attributes.Arn;
    expect(allowed(iam, byArn, 'iot:CreateThing', '*')).toBe(true);
    expect(allowed(iam, byArn, 'iot:DescribeThing', '*')).toBe(false);
    expect(allowed(iam, byRoles, 'iot:DescribeThing', '*')).toBe(true);
    expect(allowed(iam, byRoles, 'iot:CreateThing', '*')).toBe(false);
  });

  test('policies for users and groups are reported, their role attachments still made', () => {
    const stack = resolved({
      Role: lambdaRole(),
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'p',
          Roles: [{ Ref: 'Role' }],
          Users: ['alice'],
          PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] },
        },
      },
      GroupPolicy: {
        Type: 'AWS::IAM::ManagedPolicy',
        Properties: { Groups: ['admins'], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }] } },
      },
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    expect(loadIamFromTemplate(iam, stack.resources)).toEqual([
      'TestStack/Policy: policies for IAM users and groups are not attached locally (roles only)',
      'TestStack/GroupPolicy: policies for IAM users and groups are not attached locally (roles only)',
    ]);
    expect(allowed(iam, byLogicalId(stack, 'Role').attributes.Arn, 'sqs:SendMessage', QUEUE_ARN)).toBe(true);
  });

  test('empty Users and Groups lists are not reported', () => {
    const stack = resolved({
      Role: lambdaRole(),
      Policy: {
        Type: 'AWS::IAM::Policy',
        Properties: {
          PolicyName: 'p', Roles: [{ Ref: 'Role' }], Users: [], Groups: [], PolicyDocument: { Statement: [{ Effect: 'Allow', Action: 'sqs:SendMessage', Resource: '*' }] },
        },
      },
    });
    expect(loadIamFromTemplate(new LocalIam({ accountId: ACCOUNT, region: REGION }), stack.resources)).toEqual([]);
  });

  test('a Deny statement of an attached policy wins over an Allow of another', () => {
    const stack = resolved({
      Role: lambdaRole([{ Effect: 'Allow', Action: 's3:*', Resource: '*' }]),
      Deny: {
        Type: 'AWS::IAM::Policy',
        Properties: { PolicyName: 'd', Roles: [{ Ref: 'Role' }], PolicyDocument: { Statement: [{ Effect: 'Deny', Action: 's3:DeleteObject', Resource: '*' }] } },
      },
    });
    const iam = new LocalIam({ accountId: ACCOUNT, region: REGION });
    loadIamFromTemplate(iam, stack.resources);
    const roleArn = byLogicalId(stack, 'Role').attributes.Arn;
    expect(allowed(iam, roleArn, 's3:GetObject', 'arn:aws:s3:::b/k')).toBe(true);
    expect(allowed(iam, roleArn, 's3:DeleteObject', 'arn:aws:s3:::b/k')).toBe(false);
  });
});
