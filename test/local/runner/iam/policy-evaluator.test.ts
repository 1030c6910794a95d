import { evaluateAccess, servicePrincipal, type AccessRequest, type PolicyDocument, type Principal, type PolicyStatement } from '../../../../local/runner/iam';

const ACCOUNT = '123456789012';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/JitrDemo-ActivatorRole-1A2B3C`;
const OTHER_ROLE = `arn:aws:iam::${ACCOUNT}:role/JitrDemo-OtherRole-9Z`;
const caller: Principal = { arn: ROLE, accountId: ACCOUNT };
const BUCKET = 'arn:aws:s3:::jitr-ca-bucket';

function policy(...statements: PolicyStatement[]): PolicyDocument {
  return { Version: '2012-10-17', Statement: statements };
}

function decide(request: Partial<AccessRequest> & Pick<AccessRequest, 'action' | 'resource'>, identityPolicies: PolicyDocument[] = []) {
  return evaluateAccess({ principal: caller, ...request }, { identityPolicies, now: new Date('2026-03-01T12:00:00Z') });
}

describe('identity policies', () => {
  const allowThings = policy({ Effect: 'Allow', Action: ['iot:CreateThing', 'iot:Describe*'], Resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/*` });

  test('an allowing statement allows', () => {
    const decision = decide({ action: 'iot:CreateThing', resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1` }, [allowThings]);
    expect(decision).toEqual({ allowed: true, reason: 'Allowed by an identity-based policy' });
  });

  test('action matching is case-insensitive and supports wildcards', () => {
    expect(decide({ action: 'IOT:describething', resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1` }, [allowThings]).allowed).toBe(true);
  });

  test('no matching statement: implicit deny, in AWS words', () => {
    const decision = decide({ action: 'iot:DeleteThing', resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1` }, [allowThings]);
    expect(decision).toEqual({
      allowed: false,
      reason: `User: ${ROLE} is not authorized to perform: iot:DeleteThing on resource: arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1 `
        + 'because no identity-based policy allows the iot:DeleteThing action',
    });
  });

  test('resource matching is case-sensitive', () => {
    expect(decide({ action: 'iot:CreateThing', resource: `arn:aws:iot:us-east-1:${ACCOUNT}:Thing/dev-1` }, [allowThings]).allowed).toBe(false);
  });

  test('no policies at all: implicit deny', () => {
    expect(decide({ action: 's3:GetObject', resource: `${BUCKET}/x` }).allowed).toBe(false);
  });

  test('a single statement object (not a list) is read too', () => {
    const single: PolicyDocument = { Statement: { Effect: 'Allow', Action: 'kms:Decrypt', Resource: '*' } };
    expect(decide({ action: 'kms:Decrypt', resource: 'arn:aws:kms:us-east-1:1:key/k' }, [single]).allowed).toBe(true);
  });

  test('an explicit deny wins over an allow, in any policy', () => {
    const decision = decide({ action: 'iot:CreateThing', resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1` }, [
      allowThings,
      policy({ Sid: 'NoThings', Effect: 'Deny', Action: 'iot:CreateThing', Resource: '*' }),
    ]);
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toBe(`User: ${ROLE} is not authorized to perform: iot:CreateThing on resource: arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1 `
      + 'with an explicit deny in an identity-based policy');
  });

  test('a deny whose condition does not hold does not apply', () => {
    const decision = decide({ action: 'iot:CreateThing', resource: `arn:aws:iot:us-east-1:${ACCOUNT}:thing/dev-1` }, [
      allowThings,
      policy({ Effect: 'Deny', Action: '*', Resource: '*', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    ]);
    expect(decision.allowed).toBe(true);
  });

  test('NotAction allows everything but the listed actions', () => {
    const allButIam = [policy({ Effect: 'Allow', NotAction: 'iam:*', Resource: '*' })];
    expect(decide({ action: 's3:PutObject', resource: `${BUCKET}/k` }, allButIam).allowed).toBe(true);
    expect(decide({ action: 'iam:CreateUser', resource: '*' }, allButIam).allowed).toBe(false);
  });

  test('NotResource allows everywhere but the listed resources', () => {
    const notTheKey = [policy({ Effect: 'Allow', Action: 's3:GetObject', NotResource: `${BUCKET}/*/ca.private_key.pem` })];
    expect(decide({ action: 's3:GetObject', resource: `${BUCKET}/ca/ca.pem` }, notTheKey).allowed).toBe(true);
    expect(decide({ action: 's3:GetObject', resource: `${BUCKET}/ca/ca.private_key.pem` }, notTheKey).allowed).toBe(false);
  });

  test('a Deny with NotAction denies everything else', () => {
    const decision = decide({ action: 'iot:DeleteThing', resource: '*' }, [
      policy({ Effect: 'Allow', Action: '*', Resource: '*' }),
      policy({ Effect: 'Deny', NotAction: ['iot:Describe*', 'iot:List*'], Resource: '*' }),
    ]);
    expect(decision.allowed).toBe(false);
    expect(decide({ action: 'iot:ListThings', resource: '*' }, [
      policy({ Effect: 'Allow', Action: '*', Resource: '*' }),
      policy({ Effect: 'Deny', NotAction: ['iot:Describe*', 'iot:List*'], Resource: '*' }),
    ]).allowed).toBe(true);
  });

  test('an identity statement without Resource applies to nothing', () => {
    expect(decide({ action: 'iot:ListThings', resource: '*' }, [policy({ Effect: 'Allow', Action: '*' })]).allowed).toBe(false);
  });

  test('conditions see the principal keys and the request context', () => {
    const onlyFromRule = [policy({
      Effect: 'Allow',
      Action: 'lambda:InvokeFunction',
      Resource: '*',
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:iot:*:${ACCOUNT}:rule/*` }, StringEquals: { 'aws:PrincipalAccount': ACCOUNT } },
    })];
    expect(decide({ action: 'lambda:InvokeFunction', resource: 'fn', context: { 'aws:SourceArn': `arn:aws:iot:us-east-1:${ACCOUNT}:rule/jitr` } },
      onlyFromRule).allowed).toBe(true);
    expect(decide({ action: 'lambda:InvokeFunction', resource: 'fn' }, onlyFromRule).allowed).toBe(false);
  });

  test('aws:SecureTransport is true locally (documented local difference), aws:CurrentTime comes from the clock', () => {
    const timeBound = [policy({
      Effect: 'Allow',
      Action: '*',
      Resource: '*',
      Condition: { Bool: { 'aws:SecureTransport': 'true' }, DateLessThan: { 'aws:CurrentTime': '2026-03-01T12:00:01Z' }, NumericEquals: { 'aws:EpochTime': '1772366400' } },
    })];
    expect(decide({ action: 's3:GetObject', resource: `${BUCKET}/x` }, timeBound).allowed).toBe(true);
  });
});

describe('resource policies (same account)', () => {
  const object = `${BUCKET}/ca/ca.pem`;

  test('an Allow naming the caller by ARN allows without any identity policy', () => {
    const resourcePolicy = policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy })).toEqual({ allowed: true, reason: 'Allowed by a resource-based policy' });
  });

  test.each<[string, PolicyStatement['Principal']]>([
    ['"*"', '*'],
    ['{"AWS": "*"}', { AWS: '*' }],
    ['a list holding the ARN', { AWS: [OTHER_ROLE, ROLE] }],
  ])('an Allow with Principal %s allows', (_title, principal) => {
    const resourcePolicy = policy({ Effect: 'Allow', Principal: principal, Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy }).allowed).toBe(true);
  });

  test('an Allow naming another principal does not allow', () => {
    const resourcePolicy = policy({ Effect: 'Allow', Principal: { AWS: OTHER_ROLE }, Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    const decision = decide({ action: 's3:GetObject', resource: object, resourcePolicy });
    expect(decision.allowed).toBe(false);
    expect(decision.reason).toContain('because no identity-based policy allows the s3:GetObject action');
  });

  test.each([
    ['the account root ARN', `arn:aws:iam::${ACCOUNT}:root`],
    ['the bare account id', ACCOUNT],
  ])('an Allow naming %s only delegates to identity policies (as KMS key policies do)', (_title, account) => {
    const keyPolicy = policy({ Effect: 'Allow', Principal: { AWS: account }, Action: 'kms:*', Resource: '*' });
    const key = `arn:aws:kms:us-east-1:${ACCOUNT}:key/1234`;
    expect(decide({ action: 'kms:Decrypt', resource: key, resourcePolicy: keyPolicy }).allowed).toBe(false);
    const identity = [policy({ Effect: 'Allow', Action: 'kms:Decrypt', Resource: key })];
    expect(decide({ action: 'kms:Decrypt', resource: key, resourcePolicy: keyPolicy }, identity)).toEqual({
      allowed: true, reason: 'Allowed by an identity-based policy',
    });
  });

  test('an identity Allow suffices when the resource policy says nothing about the caller', () => {
    const resourcePolicy = policy({ Effect: 'Allow', Principal: { AWS: OTHER_ROLE }, Action: 's3:*', Resource: `${BUCKET}/*` });
    const identity = [policy({ Effect: 'Allow', Action: 's3:GetObject', Resource: `${BUCKET}/*` })];
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy }, identity).allowed).toBe(true);
  });

  test('an explicit deny in the resource policy wins over an identity Allow', () => {
    const resourcePolicy = policy({ Effect: 'Deny', Principal: '*', Action: 's3:*', Resource: `${BUCKET}/*` });
    const identity = [policy({ Effect: 'Allow', Action: '*', Resource: '*' })];
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy }, identity)).toEqual({
      allowed: false,
      reason: `User: ${ROLE} is not authorized to perform: s3:GetObject on resource: ${object} with an explicit deny in a resource-based policy`,
    });
  });

  test('a resource policy Deny naming the account root applies to the account\'s principals', () => {
    const resourcePolicy = policy({ Effect: 'Deny', Principal: { AWS: `arn:aws:iam::${ACCOUNT}:root` }, Action: 's3:DeleteObject', Resource: `${BUCKET}/*` });
    const identity = [policy({ Effect: 'Allow', Action: '*', Resource: '*' })];
    expect(decide({ action: 's3:DeleteObject', resource: object, resourcePolicy }, identity).allowed).toBe(false);
  });

  test('a resource policy Deny naming another principal does not apply to the caller', () => {
    const resourcePolicy = policy({ Effect: 'Deny', Principal: { AWS: OTHER_ROLE }, Action: 's3:*', Resource: `${BUCKET}/*` });
    const identity = [policy({ Effect: 'Allow', Action: '*', Resource: '*' })];
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy }, identity).allowed).toBe(true);
  });

  test('NotPrincipal: a Deny applies to everyone but the named principal', () => {
    const resourcePolicy = policy({ Effect: 'Deny', NotPrincipal: { AWS: OTHER_ROLE }, Action: 's3:GetObject', Resource: `${BUCKET}/*` });
    const identity = [policy({ Effect: 'Allow', Action: '*', Resource: '*' })];
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy }, identity).allowed).toBe(false);
    const exempt = evaluateAccess({ principal: { arn: OTHER_ROLE, accountId: ACCOUNT }, action: 's3:GetObject', resource: object, resourcePolicy },
      { identityPolicies: identity });
    expect(exempt.allowed).toBe(true);
  });

  test('a resource policy statement without Resource applies to the resource it is attached to', () => {
    const functionPolicy = policy({ Effect: 'Allow', Principal: { AWS: ROLE }, Action: 'lambda:InvokeFunction' });
    expect(decide({ action: 'lambda:InvokeFunction', resource: 'arn:aws:lambda:us-east-1:1:function:f', resourcePolicy: functionPolicy }).allowed).toBe(true);
  });

  test('an explicit deny in an identity policy is reported as such even when the resource policy denies too', () => {
    const resourcePolicy = policy({ Effect: 'Deny', Principal: '*', Action: '*', Resource: '*' });
    const identity = [policy({ Effect: 'Deny', Action: '*', Resource: '*' })];
    expect(decide({ action: 's3:GetObject', resource: object, resourcePolicy }, identity).reason).toContain('explicit deny in an identity-based policy');
  });
});

describe('the CA bucket policy: only the activator role may read the CA private key', () => {
  // The pattern the construct library puts on its CA bucket.
  const bucketPolicy = policy({
    Effect: 'Deny',
    Principal: { AWS: '*' },
    Action: 's3:GetObject',
    Resource: `${BUCKET}/*/ca.private_key.pem`,
    Condition: { ArnNotEquals: { 'aws:PrincipalArn': ROLE } },
  });
  const readsBucket = [policy({ Effect: 'Allow', Action: ['s3:GetObject', 's3:PutObject'], Resource: `${BUCKET}/*` })];
  const key = `${BUCKET}/ca-1/ca.private_key.pem`;

  test('the activator role reads the key', () => {
    expect(decide({ action: 's3:GetObject', resource: key, resourcePolicy: bucketPolicy }, readsBucket).allowed).toBe(true);
  });

  test('another role with the same identity policy is denied by the bucket policy', () => {
    const decision = evaluateAccess(
      { principal: { arn: OTHER_ROLE, accountId: ACCOUNT }, action: 's3:GetObject', resource: key, resourcePolicy: bucketPolicy },
      { identityPolicies: readsBucket },
    );
    expect(decision).toEqual({
      allowed: false,
      reason: `User: ${OTHER_ROLE} is not authorized to perform: s3:GetObject on resource: ${key} with an explicit deny in a resource-based policy`,
    });
  });

  test('even an administrator is denied', () => {
    const admin = { arn: `arn:aws:iam::${ACCOUNT}:user/local-admin`, accountId: ACCOUNT };
    const decision = evaluateAccess({ principal: admin, action: 's3:GetObject', resource: key, resourcePolicy: bucketPolicy },
      { identityPolicies: [policy({ Effect: 'Allow', Action: '*', Resource: '*' })] });
    expect(decision.allowed).toBe(false);
  });

  test('other objects and other actions stay governed by identity policies', () => {
    const otherRole = { arn: OTHER_ROLE, accountId: ACCOUNT };
    expect(evaluateAccess({ principal: otherRole, action: 's3:GetObject', resource: `${BUCKET}/ca-1/ca.pem`, resourcePolicy: bucketPolicy },
      { identityPolicies: readsBucket }).allowed).toBe(true);
    expect(evaluateAccess({ principal: otherRole, action: 's3:PutObject', resource: key, resourcePolicy: bucketPolicy },
      { identityPolicies: readsBucket }).allowed).toBe(true);
  });
});

describe('service principals', () => {
  const apigateway = servicePrincipal('apigateway.amazonaws.com', ACCOUNT);
  const fn = `arn:aws:lambda:us-east-1:${ACCOUNT}:function:Activator`;
  const invoke = (resourcePolicy?: PolicyDocument, context?: Record<string, string>) =>
    evaluateAccess({ principal: apigateway, action: 'lambda:InvokeFunction', resource: fn, resourcePolicy, context }, { identityPolicies: [] });

  test('servicePrincipal builds the principal the contract describes', () => {
    expect(apigateway).toEqual({ arn: 'apigateway.amazonaws.com', accountId: ACCOUNT, service: 'apigateway.amazonaws.com' });
  });

  test('allowed by a statement naming the service (string or list)', () => {
    expect(invoke(policy({ Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: fn })).allowed)
      .toBe(true);
    expect(invoke(policy({ Effect: 'Allow', Principal: { Service: ['iot.amazonaws.com', 'apigateway.amazonaws.com'] }, Action: 'lambda:*', Resource: fn })))
      .toEqual({ allowed: true, reason: 'Allowed by a resource-based policy' });
  });

  test('not allowed by a statement naming another service, the account, or an IAM ARN equal to its name', () => {
    const principals: Record<string, string>[] = [{ Service: 'iot.amazonaws.com' }, { AWS: `arn:aws:iam::${ACCOUNT}:root` }, { AWS: 'apigateway.amazonaws.com' }];
    for (const principal of principals) {
      const decision = invoke(policy({ Effect: 'Allow', Principal: principal, Action: 'lambda:InvokeFunction', Resource: fn }));
      expect(decision).toEqual({
        allowed: false,
        reason: `User: apigateway.amazonaws.com is not authorized to perform: lambda:InvokeFunction on resource: ${fn} `
          + 'because no resource-based policy allows the lambda:InvokeFunction action',
      });
    }
  });

  test('not allowed without a resource policy, and identity policies never apply to it', () => {
    expect(invoke().allowed).toBe(false);
    const withIdentity = evaluateAccess({ principal: apigateway, action: 'lambda:InvokeFunction', resource: fn },
      { identityPolicies: [policy({ Effect: 'Allow', Action: '*', Resource: '*' })] });
    expect(withIdentity.allowed).toBe(false);
  });

  test('conditions on aws:SourceArn (the API calling) apply', () => {
    const resourcePolicy = policy({
      Effect: 'Allow',
      Principal: { Service: 'apigateway.amazonaws.com' },
      Action: 'lambda:InvokeFunction',
      Resource: fn,
      Condition: { ArnLike: { 'aws:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/*/*/activate` } },
    });
    expect(invoke(resourcePolicy, { 'aws:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:abc123/prod/POST/activate` }).allowed).toBe(true);
    expect(invoke(resourcePolicy, { 'aws:SourceArn': `arn:aws:execute-api:us-east-1:${ACCOUNT}:other/prod/POST/activate` }).allowed).toBe(false);
    expect(invoke(resourcePolicy).allowed).toBe(false);
  });

  test('Deny statements still apply to it', () => {
    const resourcePolicy = policy(
      { Effect: 'Allow', Principal: { Service: 'apigateway.amazonaws.com' }, Action: 'lambda:InvokeFunction', Resource: fn },
      { Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: fn },
    );
    expect(invoke(resourcePolicy).reason).toContain('with an explicit deny in a resource-based policy');
  });

  test('it has aws:PrincipalServiceName and no aws:PrincipalArn, so an ArnNotEquals deny on the role applies to it', () => {
    const resourcePolicy = policy(
      { Effect: 'Allow', Principal: '*', Action: 'lambda:InvokeFunction', Resource: fn, Condition: { StringEquals: { 'aws:PrincipalServiceName': 'apigateway.amazonaws.com' } } },
      { Effect: 'Deny', Principal: '*', Action: 'lambda:InvokeFunction', Resource: fn, Condition: { Null: { 'aws:PrincipalArn': 'false' } } },
    );
    expect(invoke(resourcePolicy).allowed).toBe(true);
  });
});
