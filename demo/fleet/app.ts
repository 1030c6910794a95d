/**
 * A deployable fleet provisioning demo: `npx cdk synth` in demo/fleet (or `npm run demo`, which
 * runs it locally). FleetProvision with the default template (thing named by the SerialNumber the
 * device sends), one claim certificate issued at deploy time, a verifier the pre-provisioning hook
 * asks (serials starting fleet-sensor- only), a factory role that may read the claim from the vault,
 * and a trusted app role that may create temporary claims.
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { Construct } from 'constructs';
import { FleetProvision } from '../../src';
import { verifierFunction } from '../shared/verifier-function';

/** A verifier on the documented contract: the hook's input carries `provisioning.parameters`. */
const SERIAL_VERIFIER = `
exports.handler = async (input) => {
  const serial = (input.provisioning && input.provisioning.parameters && input.provisioning.parameters.SerialNumber) || '';
  if (serial.startsWith('fleet-sensor-')) return { verified: true };
  return { verified: false, reason: 'serial ' + JSON.stringify(serial) + ' is not one of ours' };
};
`;

export class FleetDemoStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const verifier = verifierFunction(this, 'SerialVerifier', { code: SERIAL_VERIFIER });
    const fleet = new FleetProvision(this, 'Fleet', { verifier });
    // The factory installs the claim certificate on devices; the app is a trusted user (e.g. a phone app's backend).
    const factory = new iam.Role(this, 'FactoryRole', { assumedBy: new iam.AccountRootPrincipal(), description: 'Installs claim certificates' });
    fleet.grantReadClaimCertificates(factory);
    const trustedApp = new iam.Role(this, 'TrustedAppRole', { assumedBy: new iam.AccountRootPrincipal(), description: 'Creates provisioning claims' });
    fleet.grantCreateProvisioningClaim(trustedApp);

    new CfnOutput(this, 'TemplateName', { value: fleet.templateName });
    new CfnOutput(this, 'ClaimCertificateId', { value: fleet.claimCertificateIds[0] });
    new CfnOutput(this, 'VaultBucket', { value: fleet.vault.bucket.bucketName });
    new CfnOutput(this, 'DevicePolicyName', { value: fleet.devicePolicyName });
    new CfnOutput(this, 'FactoryRoleArn', { value: factory.roleArn });
    new CfnOutput(this, 'TrustedAppRoleArn', { value: trustedApp.roleArn });
  }
}

// Synthesizes when run by the CDK CLI; tests import FleetDemoStack and synthesize it themselves.
if (require.main === module) {
  const app = new App();
  new FleetDemoStack(app, 'FleetDemo');
  app.synth();
}
