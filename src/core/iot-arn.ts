import { ArnFormat, Stack } from 'aws-cdk-lib';
import { IConstruct } from 'constructs';

/** The ARN of an AWS IoT resource in the scope's stack, e.g. `cert/*`, `thing/<name>`, `topicfilter/<filter>`. */
export function iotArn(scope: IConstruct, resource: string, resourceName = '*'): string {
  return Stack.of(scope).formatArn({ service: 'iot', resource, resourceName, arnFormat: ArnFormat.SLASH_RESOURCE_NAME });
}
