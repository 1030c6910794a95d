import { DataPlaneResourceKind, IotDataAction, IotPolicyContext } from './types';

/**
 * The resource kind AWS IoT Core authorizes each action against (developer
 * guide, "AWS IoT Core action resources"): Connect a client id, Subscribe a
 * topic filter, Publish, Receive and RetainPublish a topic name.
 */
export function resourceKindOf(action: IotDataAction): DataPlaneResourceKind {
  switch (action) {
    case 'iot:Connect': return 'client';
    case 'iot:Subscribe': return 'topicfilter';
    default: return 'topic';
  }
}

/**
 * The ARN of a data-plane resource, `arn:<partition>:iot:<region>:<account>:<kind>/<name>`.
 * The name goes in as is: MQTT wildcards `+` and `#` in a topic filter are
 * plain characters of the ARN, which is how AWS matches them against policies.
 */
export function dataPlaneArn(
  kind: DataPlaneResourceKind,
  name: string,
  context: Pick<IotPolicyContext, 'region' | 'accountId'>,
): string {
  return `arn:${partitionOf(context.region)}:iot:${context.region}:${context.accountId}:${kind}/${name}`;
}

/** The ARN partition of a Region: `aws-cn` in China, `aws-us-gov` in GovCloud, `aws` elsewhere. */
export function partitionOf(region: string): string {
  if (region.startsWith('cn-')) return 'aws-cn';
  if (region.startsWith('us-gov-')) return 'aws-us-gov';
  return 'aws';
}
