import { defaultDevicePolicyDocument } from '../../demo/shared/default-device-policy';
import { jitrStack } from '../support/jitr-stack';

/** Resolves the Fn::Join / Ref AWS::Partition that formatArn produces, for comparison with plain ARNs. */
function resolveArns(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveArns);
  if (value && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (object['Fn::Join']) {
      const [delimiter, parts] = object['Fn::Join'] as [string, unknown[]];
      return parts.map(resolveArns).join(delimiter);
    }
    if (object.Ref === 'AWS::Partition') return 'aws';
    return Object.fromEntries(Object.entries(object).map(([key, inner]) => [key, resolveArns(inner)]));
  }
  return value;
}

test('the default device policy that scripts and tests use locally is the one the construct deploys', () => {
  const { template } = jitrStack();
  const [policy] = Object.values(template().findResources('AWS::IoT::Policy'));
  expect(resolveArns(policy.Properties.PolicyDocument)).toEqual(JSON.parse(defaultDevicePolicyDocument('eu-west-1', '111122223333')));
});
