/**
 * An AWS::IoT::CACertificate in a template: the runner knows its id (the SHA-256 of its DER)
 * before registering it, so a Ref or GetAtt to it resolves to the id the registry then holds.
 */
import { createCaCertificate, createVerificationCertificate } from '../../../../lambda-assets/shared/pki';
import { IotModel } from '../../../../local/iot';
import type { AssemblyStack } from '../../../../local/runner/assembly';
import { createIotRegistryResources } from '../../../../local/runner/deploy/iot-from-template';
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

test('Ref and Fn::GetAtt of a CA certificate resolve to the id and ARN it is registered under', async () => {
  const model = new IotModel({ rateLimits: false });
  const ca = await createCaCertificate({ subject: { commonName: 'Template CA' }, keyAlgorithm: 'ECDSA-P256', validityDays: 30 });
  const { registrationCode } = await model.getRegistrationCode({});
  const verification = await createVerificationCertificate(ca.authority, registrationCode!);
  const resolved = resolveStack(stackOf({
    Ca: {
      Type: 'AWS::IoT::CACertificate',
      Properties: {
        CACertificatePem: ca.certificatePem,
        VerificationCertificatePem: verification.certificatePem,
        Status: 'ACTIVE',
        AutoRegistrationStatus: 'ENABLE',
      },
    },
  }, { CaId: { Value: { Ref: 'Ca' } }, CaArn: { Value: { 'Fn::GetAtt': ['Ca', 'Arn'] } } }), { accountId: model.accountId, region: model.region });

  await createIotRegistryResources(model, resolved.resources);

  expect(resolved.outputs.CaId).toBe(ca.certificateId);
  expect(resolved.outputs.CaArn).toBe(`arn:aws:iot:${model.region}:${model.accountId}:cacert/${ca.certificateId}`);
  const described = await model.describeCACertificate({ certificateId: resolved.outputs.CaId });
  expect(described.certificateDescription).toMatchObject({ status: 'ACTIVE', autoRegistrationStatus: 'ENABLE', certificateArn: resolved.outputs.CaArn });
});

test('a CACertificatePem that is no certificate fails the deployment, naming the resource', () => {
  const stack = stackOf({ Ca: { Type: 'AWS::IoT::CACertificate', Properties: { CACertificatePem: 'not a certificate', Status: 'ACTIVE' } } });
  expect(() => resolveStack(stack, { accountId: '123456789012', region: 'us-east-1' })).toThrow(/^CaStack\/Ca: CACertificatePem is not a PEM certificate/);
});
