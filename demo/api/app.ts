/**
 * Deployable device registration API demos: `npx cdk synth` in demo/api (or `npm run demo`, which
 * runs them locally).
 * - CsrApiDemo: CsrProvisioningApi (POST /provision/device, AWS_IAM) with a factory-line role
 *   allowed to call it: no IAM user, no long-lived keys.
 * - GatewayDemo: RegistrationGateway (POST /register with a token) for two device types, its
 *   tokens' hashes in Secrets Manager, registry events archived to S3.
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { CsrProvisioningApi, RegistrationGateway } from '../../src';

export class CsrApiDemoStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const csrApi = new CsrProvisioningApi(this, 'CsrApi');
    // The factory line's role (assumed by the line's own credentials), not an IAM user with access keys.
    const factoryLine = new iam.Role(this, 'FactoryLineRole', { assumedBy: new iam.AccountRootPrincipal(), description: 'Provisions devices from CSRs' });
    csrApi.grantProvision(factoryLine);

    new CfnOutput(this, 'ProvisionDeviceUrl', { value: csrApi.api.urlForPath('/provision/device') });
    new CfnOutput(this, 'FactoryLineRoleArn', { value: factoryLine.roleArn });
    new CfnOutput(this, 'DevicePolicyName', { value: csrApi.devicePolicyName });
  }
}

export class GatewayDemoStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const gateway = new RegistrationGateway(this, 'Gateway', {
      thingTypes: {
        sensor: { attributes: ['model'], description: 'Battery sensors' },
        hub: { description: 'Mains-powered hubs' },
      },
      defaultThingType: 'sensor',
    });
    new CfnOutput(this, 'RegisterUrl', { value: gateway.api.urlForPath('/register') });
    new CfnOutput(this, 'TokensSecretArn', { value: gateway.tokensSecret.secretArn });
    new CfnOutput(this, 'RegistryEventsBucket', { value: gateway.registryEventsBucket!.bucketName });
  }
}

// Synthesizes when run by the CDK CLI; tests import CsrApiDemoStack and synthesize it themselves.
if (require.main === module) {
  const app = new App();
  new CsrApiDemoStack(app, 'CsrApiDemo');
  new GatewayDemoStack(app, 'GatewayDemo');
  app.synth();
}
