import { Lazy } from 'aws-cdk-lib';
import { JitpTemplateDelivery, JustInTimeProvision } from '../../src';
import { jitpStack } from '../support/jitp-stack';

const CERTIFICATE = { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } };
const VALID = {
  Parameters: { 'AWS::IoT::Certificate::CommonName': { Type: 'String' }, 'AWS::IoT::Certificate::Id': { Type: 'String' } },
  Resources: {
    thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' } } },
    certificate: CERTIFICATE,
    policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: JustInTimeProvision.DEVICE_POLICY_NAME } },
  },
};

function withTemplate(templateBody: string, delivery?: JitpTemplateDelivery) {
  return () => jitpStack({ templateBody, templateDelivery: delivery });
}

describe('a user JITP template is checked at synth', () => {
  test('a valid template synthesizes', () => {
    expect(withTemplate(JSON.stringify(VALID))).not.toThrow();
  });

  test.each<[string, unknown, string]>([
    ['not an object', [], 'templateBody must be a JSON object with Parameters and Resources'],
    ['an unknown section', { ...VALID, DeviceConfiguration: {} }, "templateBody: unknown section 'DeviceConfiguration'"],
    ['a parameter AWS IoT does not fill in for JITP', { ...VALID, Parameters: { ...VALID.Parameters, ThingName: { Type: 'String' } } },
      "templateBody: parameter 'ThingName' is not one AWS IoT fills in for JITP"],
    ['the locality, which JITP does not pass', { ...VALID, Parameters: { 'AWS::IoT::Certificate::Locality': { Type: 'String' } } },
      "parameter 'AWS::IoT::Certificate::Locality' is not one AWS IoT fills in for JITP"],
    ['a parameter without Type String', { ...VALID, Parameters: { 'AWS::IoT::Certificate::Id': {} } },
      "templateBody: parameter 'AWS::IoT::Certificate::Id' must be declared as { \"Type\": \"String\" }"],
    ['no resources', { Parameters: VALID.Parameters }, 'templateBody: Resources must be an object with at least the certificate resource'],
    ['a resource type JITP cannot create', { ...VALID, Resources: { ...VALID.Resources, group: { Type: 'AWS::IoT::ThingGroup' } } },
      "templateBody: resource 'group' has Type \"AWS::IoT::ThingGroup\""],
    ['no certificate resource', { ...VALID, Resources: { thing: VALID.Resources.thing } },
      'templateBody: the template needs exactly one AWS::IoT::Certificate resource'],
    ['a certificate not named by the certificate id', {
      ...VALID, Resources: { ...VALID.Resources, certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: 'abc' } } },
    }, 'with "CertificateId": {"Ref": "AWS::IoT::Certificate::Id"}'],
    ['a Ref to an undeclared parameter', {
      ...VALID, Resources: { ...VALID.Resources, thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::Country' } } } },
    }, 'templateBody: {"Ref": "AWS::IoT::Certificate::Country"} names neither a declared parameter nor a resource'],
  ])('refused: %s', (_case, template, message) => {
    expect(withTemplate(JSON.stringify(template))).toThrow(message);
  });

  test('refused: text that is not JSON', () => {
    expect(withTemplate('{"Resources": ')).toThrow(/^templateBody is not valid JSON: /);
  });

  test('refused: longer than AWS IoT takes, counting the policy name at its longest', () => {
    const padded = { ...VALID, Resources: { ...VALID.Resources, thing: { ...VALID.Resources.thing, Properties: { ...VALID.Resources.thing.Properties, AttributePayload: { note: 'x'.repeat(10000) } } } } };
    expect(withTemplate(JSON.stringify(padded))).toThrow(/^templateBody is 10\d{3} characters \(with the policy name at its longest\); AWS IoT accepts at most 10240$/);
  });

  test('refused: a template only known at deploy time', () => {
    expect(withTemplate(Lazy.string({ produce: () => JSON.stringify(VALID) }))).toThrow('templateBody must be a JSON string known at synth');
  });

  test('refused: a template too long to travel in the CA registrator environment, with the fix named', () => {
    const big = { ...VALID, Resources: { ...VALID.Resources, thing: { ...VALID.Resources.thing, Properties: { ...VALID.Resources.thing.Properties, AttributePayload: { note: 'x'.repeat(4000) } } } } };
    expect(withTemplate(JSON.stringify(big))).not.toThrow();
    expect(withTemplate(JSON.stringify(big), JitpTemplateDelivery.CA_TEMPLATE_BODY)).toThrow(/use JitpTemplateDelivery.PROVISIONING_TEMPLATE$/);
  });
});
