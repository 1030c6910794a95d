import { App } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import { AwsSolutionsChecks } from 'cdk-nag';
import { IConstruct } from 'constructs';
import { CaKeyStorage, JitpTemplateDelivery } from '../../src';
import { csrApiStack } from '../support/csr-api-stack';
import { fleetStack } from '../support/fleet-stack';
import { gatewayStack } from '../support/gateway-stack';
import { jitpStack } from '../support/jitp-stack';
import { jitrStack } from '../support/jitr-stack';

/**
 * cdk-nag's AwsSolutions pack over every construct: no finding may remain
 * that is not acknowledged, with its reason, in the construct itself.
 */
describe('cdk-nag AwsSolutions', () => {
  test('JustInTimeRegistration has no unacknowledged finding', () => {
    // The construct's subtree only: the verifier Lambda in the test stack is the user's.
    const { app, jitr } = jitrStack();
    expectNoFindings(app, jitr);
  });

  test('JustInTimeRegistration with CA keys in KMS has no unacknowledged finding', () => {
    const { app, jitr } = jitrStack((stack) => ({
      caKeyStorage: CaKeyStorage.KMS,
      caKeySigners: [iam.Role.fromRoleArn(stack, 'FactorySigner', 'arn:aws:iam::111122223333:role/factory-signer')],
    }));
    expectNoFindings(app, jitr);
  });

  test.each([
    ['a managed template', {}],
    ['a template body on the CA', { templateDelivery: JitpTemplateDelivery.CA_TEMPLATE_BODY }],
    ['CA keys in KMS', { caKeyStorage: CaKeyStorage.KMS }],
    ['CA keys in KMS and a template body on the CA', { caKeyStorage: CaKeyStorage.KMS, templateDelivery: JitpTemplateDelivery.CA_TEMPLATE_BODY }],
    ['a user template (AWSIoTThingsRegistration)', {
      templateBody: JSON.stringify({
        Parameters: { 'AWS::IoT::Certificate::Id': { Type: 'String' } },
        Resources: { certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } } },
      }),
    }],
  ])('JustInTimeProvision with %s has no unacknowledged finding', (_case, props) => {
    const { app, jitp } = jitpStack(props);
    expectNoFindings(app, jitp);
  });
});

test.each([
  ['the default template and a claim certificate', {}],
  ['Greengrass and no claim certificate', { greengrass: {}, claimCertificateCount: 0 }],
])('FleetProvision with %s has no unacknowledged finding', (_case, props) => {
  const { app, fleet } = fleetStack(props);
  expectNoFindings(app, fleet);
});

test('CsrProvisioningApi has no unacknowledged finding', () => {
  const { app, csrApi } = csrApiStack();
  expectNoFindings(app, csrApi);
});

test('RegistrationGateway has no unacknowledged finding', () => {
  const { app, gateway } = gatewayStack();
  expectNoFindings(app, gateway);
});

function expectNoFindings(app: App, scope: IConstruct): void {
  // Synthesis runs construct validations, where acknowledgements of findings are recorded.
  app.synth();
  const report = new AwsSolutionsChecks(app).validateScope(scope);
  const findings = report.violations.map((violation) =>
    `${violation.ruleName}: ${violation.violatingResources.map((resource) => resource.constructPath).join(', ')}`);
  expect(findings).toEqual([]);
  expect(report.success).toBe(true);
}
