/**
 * A deployable JITP demo: `npx cdk synth` in demo/jitp (or `npm run demo`, which runs it locally).
 * It deploys JustInTimeProvision with one verifier that admits devices whose common name starts
 * with an allowed prefix, and the default template: thing named by the CN, the Organization as a
 * thing attribute, the shared device policy, certificate ACTIVE.
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { JustInTimeProvision } from '../../src';
import { verifierFunction } from '../shared/verifier-function';

/** A verifier on the documented contract: {certificateId, caCertificateId, certificatePem, subject, serialNumber} in, {verified, reason?} out. */
const ALLOW_LIST_VERIFIER = `
const prefixes = (process.env.ALLOWED_CN_PREFIXES || '').split(',').filter(Boolean);
exports.handler = async (input) => {
  const cn = (input.subject && input.subject.commonName) || '';
  if (prefixes.some((prefix) => cn.startsWith(prefix))) return { verified: true };
  return { verified: false, reason: 'common name ' + JSON.stringify(cn) + ' is not on the allow-list' };
};
`;

export class JitpDemoStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const allowList = verifierFunction(this, 'AllowListVerifier', {
      code: ALLOW_LIST_VERIFIER,
      environment: { ALLOWED_CN_PREFIXES: 'demo-sensor-' },
    });
    const jitp = new JustInTimeProvision(this, 'Jitp', { verifiers: { allowList } });
    new CfnOutput(this, 'CaRegisterUrl', { value: jitp.api.urlForPath('/caRegister') });
    new CfnOutput(this, 'DeviceCertificateGenerateUrl', { value: jitp.api.urlForPath('/deviceCertificateGenerate') });
    new CfnOutput(this, 'DevicePolicyName', { value: jitp.devicePolicyName });
    new CfnOutput(this, 'ProvisioningTemplateName', { value: jitp.provisioningTemplate!.ref });
  }
}

// Synthesizes when run by the CDK CLI; tests import JitpDemoStack and synthesize it themselves.
if (require.main === module) {
  const app = new App();
  new JitpDemoStack(app, 'JitpDemo');
  app.synth();
}
