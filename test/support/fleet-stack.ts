import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { FleetProvision, FleetProvisionProps } from '../../src';

/** A stack with one FleetProvision and an inline verifier. */
export function fleetStack(props: Partial<FleetProvisionProps> | ((stack: Stack) => Partial<FleetProvisionProps>) = {}) {
  const app = new App();
  const stack = new Stack(app, 'FleetTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const verifier = new lambda.Function(stack, 'SerialVerifier', {
    code: lambda.Code.fromInline('exports.handler = async () => ({ verified: true });'),
    handler: 'index.handler',
    runtime: lambda.Runtime.NODEJS_24_X,
  });
  const extra = typeof props === 'function' ? props(stack) : props;
  const fleet = new FleetProvision(stack, 'Fleet', { verifier, ...extra });
  return { app, stack, fleet, verifier, template: () => Template.fromStack(stack) };
}
