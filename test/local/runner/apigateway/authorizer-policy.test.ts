import { evaluateAuthorizerPolicy } from '../../../../local/runner/apigateway/authorizer-policy';

const ARN = 'arn:aws:execute-api:us-east-1:123456789012:abc/prod/GET/items/42';
const doc = (...Statement: unknown[]) => ({ Version: '2012-10-17', Statement });

describe('evaluateAuthorizerPolicy', () => {
  test.each([
    ['an exact Allow', doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN }), 'allow'],
    ['a single statement object', { Statement: { Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN } }, 'allow'],
    ['wildcards in resource and action', doc({ Effect: 'Allow', Action: 'execute-api:*', Resource: 'arn:aws:execute-api:*:*:abc/*/GET/*' }), 'allow'],
    ['a ? wildcard', doc({ Effect: 'Allow', Action: ['execute-api:Invoke'], Resource: [ARN.replace('42', '4?')] }), 'allow'],
    ['Deny wins over Allow', doc({ Effect: 'Allow', Action: '*', Resource: '*' }, { Effect: 'Deny', Action: 'execute-api:Invoke', Resource: ARN }), 'deny'],
    ['an Allow for another method', doc({ Effect: 'Allow', Action: 'execute-api:Invoke', Resource: ARN.replace('GET', 'POST') }), 'no-allow'],
    ['an Allow of another action', doc({ Effect: 'Allow', Action: 's3:GetObject', Resource: '*' }), 'no-allow'],
  ])('%s', (_label, policy, expected) => {
    expect(evaluateAuthorizerPolicy(policy, ARN)).toBe(expected);
  });

  test.each([
    ['not an object', 'Allow'],
    ['no statements', doc()],
    ['a statement without Effect', doc({ Action: '*', Resource: '*' })],
  ])('rejects a policy with %s', (_label, policy) => {
    expect(() => evaluateAuthorizerPolicy(policy, ARN)).toThrow();
  });
});
