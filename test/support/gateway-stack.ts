import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { RegistrationGateway, RegistrationGatewayProps } from '../../src';

/** A stack with one RegistrationGateway. */
export function gatewayStack(props: RegistrationGatewayProps | ((stack: Stack) => RegistrationGatewayProps) = {}) {
  const app = new App();
  const stack = new Stack(app, 'GatewayTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const gateway = new RegistrationGateway(stack, 'Gateway', typeof props === 'function' ? props(stack) : props);
  return { app, stack, gateway, template: () => Template.fromStack(stack) };
}
