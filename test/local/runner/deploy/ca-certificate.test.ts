/** An AWS::IoT::CACertificate whose PEM is no certificate: the deployment fails before anything is created, naming it. */
import type { AssemblyStack } from '../../../../local/runner/assembly';
import { resolveStack } from '../../../../local/runner/deploy/resolve-stack';

function stackOf(resources: Record<string, unknown>, outputs: Record<string, unknown> = {}): AssemblyStack {
  return {
    stackName: 'CaStack',
    artifactId: 'CaStack',
    templatePath: '/nowhere/CaStack.template.json',
    assetsDirectory: '/nowhere',
    template: { Resources: resources as never, Outputs: outputs },
  };
}

test('a CACertificatePem that is no certificate fails the deployment, naming the resource', () => {
  const stack = stackOf({ Ca: { Type: 'AWS::IoT::CACertificate', Properties: { CACertificatePem: 'not a certificate', Status: 'ACTIVE' } } });
  expect(() => resolveStack(stack, { accountId: '123456789012', region: 'us-east-1' })).toThrow(/^CaStack\/Ca: CACertificatePem is not a PEM certificate/);
});
