import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { JustInTimeProvision, JustInTimeProvisionProps } from '../../src';

/** A stack with one JustInTimeProvision and an inline verifier named 'allowList'. */
export function jitpStack(props: Partial<JustInTimeProvisionProps> | ((stack: Stack) => Partial<JustInTimeProvisionProps>) = {}) {
  const app = new App();
  const stack = new Stack(app, 'JitpTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const verifier = new lambda.Function(stack, 'AllowListVerifier', {
    code: lambda.Code.fromInline('exports.handler = async () => ({ verified: true });'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
  });
  const extra = typeof props === 'function' ? props(stack) : props;
  const jitp = new JustInTimeProvision(stack, 'Jitp', { verifiers: { allowList: verifier }, ...extra });
  return { app, stack, jitp, verifier, template: () => Template.fromStack(stack) };
}

/**
 * A template body as AWS IoT will receive it: the CloudFormation Fn::Join of
 * the synthesized stack, with the device policy's Ref replaced by `policyName`.
 */
export function deployedTemplateBody(body: unknown, policyName = 'DevicePolicy-1'): Record<string, any> {
  const parts: unknown[] = (body as { 'Fn::Join': [string, unknown[]] })['Fn::Join'][1];
  return JSON.parse(parts.map((part) => (typeof part === 'string' ? part : policyName)).join(''));
}
