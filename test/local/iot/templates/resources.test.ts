import { body, thingTemplate } from './helpers';
import { evaluateProvisioningTemplate } from '../../../../local/iot/templates';

function certificatePlan(properties: Record<string, unknown>, extra: Record<string, unknown> = {}) {
  return evaluateProvisioningTemplate(body({
    Resources: { cert: { Type: 'AWS::IoT::Certificate', Properties: properties, ...extra } },
  }), {}).certificate;
}

function policyPlans(resources: Record<string, unknown>, parameters: Record<string, string> = {}, sections: Record<string, unknown> = {}) {
  return evaluateProvisioningTemplate(body({ ...sections, Resources: resources }), parameters).policies;
}

describe('AWS::IoT::Thing', () => {
  test('carries type, groups (de-duplicated, in order), billing group, attributes and OverrideSettings into the plan', () => {
    const plan = evaluateProvisioningTemplate(thingTemplate({
      ThingName: { Ref: 'Name' },
      ThingTypeName: 'lightBulb-versionA',
      ThingGroups: ['v1-lightbulbs', { Ref: 'Location' }, 'v1-lightbulbs'],
      BillingGroup: 'bulbs',
      AttributePayload: { version: 'v1', serialNumber: { Ref: 'Name' } },
    }, { Parameters: { Name: { Type: 'String' }, Location: { Type: 'String', Default: 'WA' } } }), { Name: 'bulb-7' });
    expect(plan.thing).toEqual({
      logicalId: 'thing',
      thingName: 'bulb-7',
      thingTypeName: 'lightBulb-versionA',
      thingGroups: ['v1-lightbulbs', 'WA'],
      billingGroup: 'bulbs',
      attributes: { version: 'v1', serialNumber: 'bulb-7' },
      overrideSettings: {},
    });
  });

  test('passes every documented OverrideSettings value through', () => {
    const template = body({
      Resources: {
        thing: {
          Type: 'AWS::IoT::Thing',
          Properties: { ThingName: 'device' },
          OverrideSettings: { AttributePayload: 'REPLACE', ThingTypeName: 'DO_NOTHING', ThingGroups: 'FAIL' },
        },
      },
    });
    expect(evaluateProvisioningTemplate(template, {}).thing?.overrideSettings)
      .toEqual({ AttributePayload: 'REPLACE', ThingTypeName: 'DO_NOTHING', ThingGroups: 'FAIL' });
  });
});

describe('AWS::IoT::Certificate', () => {
  test('an existing certificate by CertificateId, or by the CertificateID spelling the guide also lists', () => {
    expect(certificatePlan({ CertificateId: 'abc' })).toEqual({ logicalId: 'cert', certificateId: 'abc', overrideSettings: {} });
    expect(certificatePlan({ CertificateID: 'abc', Status: 'inactive' }))
      .toEqual({ logicalId: 'cert', certificateId: 'abc', status: 'INACTIVE', overrideSettings: {} });
  });

  test('a device certificate by PEM with its CA, and a CSR, each with the status and OverrideSettings given', () => {
    expect(certificatePlan({ CertificatePem: 'DEVICE PEM', CACertificatePem: 'CA PEM', Status: 'ACTIVE' }, { OverrideSettings: { Status: 'REPLACE' } }))
      .toEqual({
        logicalId: 'cert',
        certificatePem: 'DEVICE PEM',
        caCertificatePem: 'CA PEM',
        status: 'ACTIVE',
        overrideSettings: { Status: 'REPLACE' },
      });
    expect(certificatePlan({ CertificateSigningRequest: 'CSR PEM' }, { OverrideSettings: { Status: 'DO_NOTHING' } }))
      .toEqual({ logicalId: 'cert', certificateSigningRequest: 'CSR PEM', overrideSettings: { Status: 'DO_NOTHING' } });
  });
});

describe('AWS::IoT::Policy', () => {
  test('several policies, by name of an existing policy or by inline document, in template order', () => {
    const document = '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"*"}]}';
    expect(policyPlans({
      existing: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'shared-device-policy' } },
      inline: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: document } },
    })).toEqual([
      { logicalId: 'existing', policyName: 'shared-device-policy' },
      { logicalId: 'inline', policyDocument: document },
    ]);
  });

  test('policy variables in a plain PolicyDocument string are not substitution variables, even when a parameter shares the name', () => {
    const document = JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:*:*:client/${iot:Connection.Thing.ThingName}' },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: 'arn:aws:iot:*:*:topicfilter/${iot:ClientId}/${ThingName}' },
      ],
    });
    const [policy] = policyPlans(
      { policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyDocument: document } } },
      { ThingName: 'should-not-appear' },
      { Parameters: { ThingName: { Type: 'String' } } },
    );
    expect(policy.policyDocument).toBe(document);
    expect(policy.policyDocument).toContain('client/${iot:Connection.Thing.ThingName}');
    expect(policy.policyDocument).not.toContain('should-not-appear');
  });

  test('a PolicyDocument built with Fn::Join keeps its policy variables; one built with Fn::Sub uses ${!...} for them', () => {
    const [joined, substituted] = policyPlans({
      joined: {
        Type: 'AWS::IoT::Policy',
        Properties: {
          PolicyDocument: {
            'Fn::Join': ['', [
              '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Publish","Resource":"arn:aws:iot:',
              { Ref: 'Region' },
              ':123456789012:topic/${iot:Connection.Thing.ThingName}/*"}]}',
            ]],
          },
        },
      },
      substituted: {
        Type: 'AWS::IoT::Policy',
        Properties: {
          PolicyDocument: {
            'Fn::Sub': '{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Action":"iot:Receive","Resource":"arn:aws:iot:${Region}:123456789012:topic/${!iot:Connection.Thing.ThingName}/*"}]}',
          },
        },
      },
    }, {}, { Parameters: { Region: { Type: 'String', Default: 'eu-west-1' } } });
    expect(JSON.parse(joined.policyDocument!).Statement[0].Resource).toBe('arn:aws:iot:eu-west-1:123456789012:topic/${iot:Connection.Thing.ThingName}/*');
    expect(JSON.parse(substituted.policyDocument!).Statement[0].Resource).toBe('arn:aws:iot:eu-west-1:123456789012:topic/${iot:Connection.Thing.ThingName}/*');
  });
});

describe('the plan as a whole', () => {
  test('a template with no resources and no DeviceConfiguration plans nothing', () => {
    expect(evaluateProvisioningTemplate(body({ Resources: {} }), {})).toEqual({ policies: [], deviceConfiguration: {} });
  });

  test('top-level keys other than the five sections are ignored, and undeclared supplied parameters are allowed', () => {
    const plan = evaluateProvisioningTemplate(thingTemplate({ ThingName: { Ref: 'Extra' } }, { Description: 'ignored', Version: '2018-11-30' }), { Extra: 'x' });
    expect(plan.thing?.thingName).toBe('x');
  });
});
