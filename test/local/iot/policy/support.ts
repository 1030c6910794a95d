import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { dataPlaneArn, IotDataAction, IotPolicyContext } from '../../../../local/iot/policy';
import { DevicePolicy } from '../../../../src';

export const REGION = 'eu-west-1';
export const ACCOUNT = '123456789012';
export const ARN_PREFIX = `arn:aws:iot:${REGION}:${ACCOUNT}`;

/** A connection of client `sensor-1`, attached to thing `sensor-1`, unless overridden. */
export function connection(overrides: Partial<IotPolicyContext> = {}): IotPolicyContext {
  return { region: REGION, accountId: ACCOUNT, clientId: 'sensor-1', thingName: 'sensor-1', isAttached: true, ...overrides };
}

/** A connection whose client id names no thing this certificate is attached to. */
export function unattachedConnection(clientId: string, overrides: Partial<IotPolicyContext> = {}): IotPolicyContext {
  return { region: REGION, accountId: ACCOUNT, clientId, isAttached: false, ...overrides };
}

/** A 2012-10-17 policy document text holding the statements. */
export function policy(...statements: object[]): string {
  return JSON.stringify({ Version: '2012-10-17', Statement: statements });
}

export const topic = (name: string) => dataPlaneArn('topic', name, { region: REGION, accountId: ACCOUNT });
export const topicFilter = (name: string) => dataPlaneArn('topicfilter', name, { region: REGION, accountId: ACCOUNT });
export const client = (name: string) => dataPlaneArn('client', name, { region: REGION, accountId: ACCOUNT });

/** The ARN an action is checked against, for a topic, filter or client id. */
export function resourceFor(action: IotDataAction, name: string): string {
  if (action === 'iot:Connect') return client(name);
  return action === 'iot:Subscribe' ? topicFilter(name) : topic(name);
}

/**
 * The document of the project's default device policy, as the construct
 * synthesizes it, with the CloudFormation intrinsics it uses resolved the way
 * CloudFormation would in the commercial partition.
 */
export function synthesizedDevicePolicy(): string {
  const stack = new Stack(new App(), 'DevicePolicyStack', { env: { account: ACCOUNT, region: REGION } });
  new DevicePolicy(stack, 'DevicePolicy');
  const policies = Object.values(Template.fromStack(stack).findResources('AWS::IoT::Policy'));
  if (policies.length !== 1) throw new Error(`expected one AWS::IoT::Policy, found ${policies.length}`);
  return JSON.stringify(resolveIntrinsics(policies[0].Properties.PolicyDocument));
}

function resolveIntrinsics(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(resolveIntrinsics);
  if (typeof value !== 'object' || value === null) return value;
  const object = value as Record<string, unknown>;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(resolveIntrinsics).join(separator);
  }
  if ('Ref' in object) {
    const pseudo: Record<string, string> = { 'AWS::Partition': 'aws', 'AWS::Region': REGION, 'AWS::AccountId': ACCOUNT, 'AWS::URLSuffix': 'amazonaws.com' };
    const resolved = pseudo[object.Ref as string];
    if (resolved === undefined) throw new Error(`cannot resolve Ref ${String(object.Ref)}`);
    return resolved;
  }
  return Object.fromEntries(Object.entries(object).map(([key, item]) => [key, resolveIntrinsics(item)]));
}
