/**
 * A deployable JITR demo: `npx cdk synth --app "npx ts-node --project tsconfig.dev.json demo/jitr/app.ts"`.
 * It deploys JustInTimeRegistration with one verifier that admits devices
 * whose common name starts with an allowed prefix.
 */
import { App, CfnOutput, Stack, StackProps } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { JustInTimeRegistration } from '../../src';
import { verifierFunction } from '../shared/verifier-function';

/** A verifier on the documented contract: {certificateId, caCertificateId, certificatePem, subject, serialNumber} in, {verified, thingName?, attributes?, reason?} out. */
const ALLOW_LIST_VERIFIER = `
const prefixes = (process.env.ALLOWED_CN_PREFIXES || '').split(',').filter(Boolean);
exports.handler = async (input) => {
  const cn = (input.subject && input.subject.commonName) || '';
  if (prefixes.some((prefix) => cn.startsWith(prefix))) {
    return { verified: true, attributes: { serial: input.serialNumber.slice(0, 32) } };
  }
  return { verified: false, reason: 'common name ' + JSON.stringify(cn) + ' is not on the allow-list' };
};
`;

export class JitrDemoStack extends Stack {
  constructor(scope: Construct, id: string, props?: StackProps) {
    super(scope, id, props);
    const allowList = verifierFunction(this, 'AllowListVerifier', {
      code: ALLOW_LIST_VERIFIER,
      environment: { ALLOWED_CN_PREFIXES: 'demo-device-' },
    });
    const jitr = new JustInTimeRegistration(this, 'Jitr', {
      verifiers: { allowList },
    });
    new CfnOutput(this, 'CaRegisterUrl', { value: jitr.api.urlForPath('/caRegister') });
    new CfnOutput(this, 'DeadLetterQueueUrl', { value: jitr.deadLetterQueue.queueUrl });
    new CfnOutput(this, 'DevicePolicyName', { value: jitr.devicePolicyName });
  }
}

// Synthesizes when run by the CDK CLI; tests import JitrDemoStack and synthesize it themselves.
if (require.main === module) {
  const app = new App();
  new JitrDemoStack(app, 'JitrDemo');
  app.synth();
}
