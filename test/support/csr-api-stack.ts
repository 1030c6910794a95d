import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { CsrProvisioningApi, CsrProvisioningApiProps } from '../../src';

/** A stack with one CsrProvisioningApi. */
export function csrApiStack(props: CsrProvisioningApiProps = {}) {
  const app = new App();
  const stack = new Stack(app, 'CsrApiTest', { env: { account: '111122223333', region: 'eu-west-1' } });
  const csrApi = new CsrProvisioningApi(stack, 'Factory', props);
  return { app, stack, csrApi, template: () => Template.fromStack(stack) };
}
