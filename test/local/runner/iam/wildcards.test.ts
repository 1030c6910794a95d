import { arnMatch, wildcardMatch } from '../../../../local/runner/iam/wildcards';

describe('wildcardMatch', () => {
  test.each([
    ['*', 'anything/at:all', true],
    ['iot:*', 'iot:CreateThing', true],
    ['s3:Get*', 's3:GetObject', true],
    ['s3:Get*', 's3:PutObject', false],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket/a/b/c.pem', true],
    ['arn:aws:s3:::bucket/*', 'arn:aws:s3:::bucket', false],
    ['arn:aws:iot:*:*:thing/*', 'arn:aws:iot:us-east-1:123456789012:thing/dev-1', true],
    ['thing-?', 'thing-1', true],
    ['thing-?', 'thing-12', false],
    ['thing-?', 'thing-', false],
    ['a.b', 'aXb', false],
    ['a+b(c)$', 'a+b(c)$', true],
    ['Bucket', 'bucket', false],
  ])('%s matches %s: %s', (pattern, value, expected) => {
    expect(wildcardMatch(pattern, value)).toBe(expected);
  });

  test('ignoreCase for actions', () => {
    expect(wildcardMatch('S3:getobject', 's3:GetObject', { ignoreCase: true })).toBe(true);
    expect(wildcardMatch('S3:getobject', 's3:GetObject')).toBe(false);
  });
});

describe('arnMatch', () => {
  test.each([
    ['arn:aws:iam::123456789012:role/Activator', 'arn:aws:iam::123456789012:role/Activator', true],
    ['arn:aws:iam::*:role/*', 'arn:aws:iam::123456789012:role/Activator', true],
    ['arn:aws:iot:us-east-1:123456789012:rule/*', 'arn:aws:iot:us-east-1:123456789012:rule/jitr', true],
    ['arn:aws:lambda:*:*:function:fn:*', 'arn:aws:lambda:us-east-1:1:function:fn:live', true],
    // A wildcard in one part does not reach into the next.
    ['arn:aws:iam::1*', 'arn:aws:iam::123:role/x', false],
    ['arn:aws:iam::123:role/x', 'not-an-arn', false],
    ['*', 'arn:aws:iam::123:role/x', true],
  ])('%s matches %s: %s', (pattern, arn, expected) => {
    expect(arnMatch(pattern, arn)).toBe(expected);
  });
});
