import { templateError } from './helpers';
import { evaluateProvisioningTemplate, JITP_CERTIFICATE_PARAMETERS, jitpParametersFromCertificate, validateTemplate } from '../../../../local/iot/templates';

/**
 * The two templates the AWS IoT Developer Guide builds its provisioning pages around, written out
 * from the facts those pages state (not copied): a JITP template that names the thing after the
 * certificate's common name, and a fleet-provisioning template with a serial-number parameter.
 */

const DEVICE_POLICY = JSON.stringify({
  Version: '2012-10-17',
  Statement: [
    { Effect: 'Allow', Action: 'iot:Connect', Resource: 'arn:aws:iot:eu-west-1:123456789012:client/${iot:Connection.Thing.ThingName}' },
    { Effect: 'Allow', Action: 'iot:Publish', Resource: 'arn:aws:iot:eu-west-1:123456789012:topic/devices/${iot:Connection.Thing.ThingName}/*' },
  ],
});

const JITP_TEMPLATE = JSON.stringify({
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Country': { Type: 'String' },
    'AWS::IoT::Certificate::Organization': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' },
        AttributePayload: {
          version: 'v1',
          country: { Ref: 'AWS::IoT::Certificate::Country' },
          organization: { Ref: 'AWS::IoT::Certificate::Organization' },
        },
      },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' },
    },
    policy: {
      Type: 'AWS::IoT::Policy',
      Properties: { PolicyDocument: DEVICE_POLICY },
    },
  },
});

const FLEET_TEMPLATE = JSON.stringify({
  Parameters: {
    'SerialNumber': { Type: 'String' },
    'DeviceLocation': { Type: 'String' },
    'Stage': { Type: 'String', Default: 'prod' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Mappings: {
    LocationTable: {
      Seattle: { LocationUrl: 'https://seattle.example.com' },
      Dublin: { LocationUrl: 'https://dublin.example.com' },
    },
  },
  Conditions: {
    IsDevelopment: { 'Fn::Equals': [{ Ref: 'Stage' }, 'dev'] },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: {
        ThingName: { 'Fn::Join': ['', ['ThingPrefix_', { Ref: 'SerialNumber' }]] },
        AttributePayload: { version: 'v1', serialNumber: { Ref: 'SerialNumber' } },
        ThingGroups: ['v1-lightbulbs', { 'Fn::If': ['IsDevelopment', 'dev-lightbulbs', 'fleet-lightbulbs'] }],
        BillingGroup: 'LightBulbBillingGroup',
      },
      OverrideSettings: { AttributePayload: 'MERGE', ThingTypeName: 'REPLACE', ThingGroups: 'DO_NOTHING' },
    },
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'Active' },
    },
    policy: {
      Type: 'AWS::IoT::Policy',
      Properties: { PolicyName: 'fleet-device-policy' },
    },
  },
  DeviceConfiguration: {
    FallbackUrl: 'https://www.example.com/test-site',
    LocationUrl: { 'Fn::FindInMap': ['LocationTable', { Ref: 'DeviceLocation' }, 'LocationUrl'] },
    Stage: { Ref: 'Stage' },
  },
});

const CERTIFICATE_ID = 'a'.repeat(64);

describe('the documented JITP template', () => {
  test('is a valid JITP template', () => {
    expect(() => validateTemplate(JITP_TEMPLATE, 'JITP')).not.toThrow();
  });

  test('provisions a thing named after the common name, with attributes from the subject, an ACTIVE certificate and the inline policy', () => {
    const parameters = jitpParametersFromCertificate({
      certificateId: CERTIFICATE_ID,
      subject: { commonName: 'sensor-0042', countryName: 'DE', organizationName: 'Acme', localityName: 'Berlin' },
    });
    const plan = evaluateProvisioningTemplate(JITP_TEMPLATE, parameters);
    expect(plan).toEqual({
      thing: {
        logicalId: 'thing',
        thingName: 'sensor-0042',
        thingGroups: [],
        attributes: { version: 'v1', country: 'DE', organization: 'Acme' },
        overrideSettings: {},
      },
      certificate: { logicalId: 'certificate', certificateId: CERTIFICATE_ID, status: 'ACTIVE', overrideSettings: {} },
      policies: [{ logicalId: 'policy', policyDocument: DEVICE_POLICY }],
      deviceConfiguration: {},
    });
  });

  test('keeps the policy variables of the inline policy document as they are', () => {
    const plan = evaluateProvisioningTemplate(JITP_TEMPLATE, jitpParametersFromCertificate({
      certificateId: CERTIFICATE_ID,
      subject: { commonName: 'sensor-0042', countryName: 'DE', organizationName: 'Acme' },
    }));
    const document = JSON.parse(plan.policies[0].policyDocument!);
    expect(document.Statement[0].Resource).toBe('arn:aws:iot:eu-west-1:123456789012:client/${iot:Connection.Thing.ThingName}');
    expect(document.Statement[1].Resource).toBe('arn:aws:iot:eu-west-1:123456789012:topic/devices/${iot:Connection.Thing.ThingName}/*');
  });

  test('fails, naming the parameter, for a device certificate without a subject field the template declares', () => {
    const parameters = jitpParametersFromCertificate({
      certificateId: CERTIFICATE_ID,
      subject: { commonName: 'sensor-0042', countryName: 'DE' },
    });
    const error = templateError(() => evaluateProvisioningTemplate(JITP_TEMPLATE, parameters));
    expect(error.message).toBe('No value for parameter AWS::IoT::Certificate::Organization: it declares no Default and none was supplied');
    expect(error.reason).toBe('parameters');
  });
});

describe('the documented fleet-provisioning template', () => {
  test('is a valid FLEET_PROVISIONING template', () => {
    expect(() => validateTemplate(FLEET_TEMPLATE, 'FLEET_PROVISIONING')).not.toThrow();
  });

  test('joins the thing name from the serial number, resolves the mapping into the device configuration and normalises "Active"', () => {
    const plan = evaluateProvisioningTemplate(FLEET_TEMPLATE, {
      'SerialNumber': '000123',
      'DeviceLocation': 'Seattle',
      'AWS::IoT::Certificate::Id': CERTIFICATE_ID,
    });
    expect(plan).toEqual({
      thing: {
        logicalId: 'thing',
        thingName: 'ThingPrefix_000123',
        thingGroups: ['v1-lightbulbs', 'fleet-lightbulbs'],
        billingGroup: 'LightBulbBillingGroup',
        attributes: { version: 'v1', serialNumber: '000123' },
        overrideSettings: { AttributePayload: 'MERGE', ThingTypeName: 'REPLACE', ThingGroups: 'DO_NOTHING' },
      },
      certificate: { logicalId: 'certificate', certificateId: CERTIFICATE_ID, status: 'ACTIVE', overrideSettings: {} },
      policies: [{ logicalId: 'policy', policyName: 'fleet-device-policy' }],
      deviceConfiguration: {
        FallbackUrl: 'https://www.example.com/test-site',
        LocationUrl: 'https://seattle.example.com',
        Stage: 'prod',
      },
    });
  });

  test('takes the other branch of Fn::If when a supplied parameter overrides the Default', () => {
    const plan = evaluateProvisioningTemplate(FLEET_TEMPLATE, {
      'SerialNumber': '000124',
      'DeviceLocation': 'Dublin',
      'Stage': 'dev',
      'AWS::IoT::Certificate::Id': CERTIFICATE_ID,
    });
    expect(plan.thing?.thingGroups).toEqual(['v1-lightbulbs', 'dev-lightbulbs']);
    expect(plan.deviceConfiguration).toEqual({
      FallbackUrl: 'https://www.example.com/test-site',
      LocationUrl: 'https://dublin.example.com',
      Stage: 'dev',
    });
  });

  test('rejects a device location the mapping does not know, as a parameter problem', () => {
    const error = templateError(() => evaluateProvisioningTemplate(FLEET_TEMPLATE, {
      'SerialNumber': '000125',
      'DeviceLocation': 'Atlantis',
      'AWS::IoT::Certificate::Id': CERTIFICATE_ID,
    }));
    expect(error.message).toBe('DeviceConfiguration.LocationUrl.Fn::FindInMap: Unable to get mapping for LocationTable::Atlantis::LocationUrl');
    expect(error.reason).toBe('parameters');
  });

  test('fails, naming the parameter, when the device sends no serial number', () => {
    const error = templateError(() => evaluateProvisioningTemplate(FLEET_TEMPLATE, {
      'DeviceLocation': 'Seattle',
      'AWS::IoT::Certificate::Id': CERTIFICATE_ID,
    }));
    expect(error.message).toBe('No value for parameter SerialNumber: it declares no Default and none was supplied');
    expect(error.reason).toBe('parameters');
  });
});

describe('jitpParametersFromCertificate', () => {
  test('maps every subject field AWS IoT exposes to its parameter and leaves the locality out', () => {
    expect(jitpParametersFromCertificate({
      certificateId: CERTIFICATE_ID,
      subject: {
        commonName: 'cn',
        countryName: 'US',
        organizationName: 'org',
        organizationUnitName: 'unit',
        stateName: 'WA',
        serialNumber: 'SN1',
        dnQualifier: 'q',
        localityName: 'Seattle',
      },
    })).toEqual({
      'AWS::IoT::Certificate::Id': CERTIFICATE_ID,
      'AWS::IoT::Certificate::CommonName': 'cn',
      'AWS::IoT::Certificate::Country': 'US',
      'AWS::IoT::Certificate::Organization': 'org',
      'AWS::IoT::Certificate::OrganizationalUnit': 'unit',
      'AWS::IoT::Certificate::StateName': 'WA',
      'AWS::IoT::Certificate::SerialNumber': 'SN1',
      'AWS::IoT::Certificate::DistinguishedNameQualifier': 'q',
    });
  });

  test('gives only the certificate id for a certificate with an empty subject', () => {
    expect(jitpParametersFromCertificate({ certificateId: CERTIFICATE_ID, subject: {} })).toEqual({ 'AWS::IoT::Certificate::Id': CERTIFICATE_ID });
  });
});

describe('JITP: "The certificate must contain values for all of the parameters in the template body"', () => {
  /** Country declared with a Default, as users write it hoping the Default covers certificates without one; and a plain parameter. */
  const WITH_DEFAULTS = JSON.stringify({
    Parameters: {
      'AWS::IoT::Certificate::CommonName': { Type: 'String' },
      'AWS::IoT::Certificate::Country': { Type: 'String', Default: 'XX' },
      'Fleet': { Type: 'String', Default: 'lab' },
    },
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' }, AttributePayload: { country: { Ref: 'AWS::IoT::Certificate::Country' }, fleet: { Ref: 'Fleet' } } },
      },
    },
  });
  const JITP = { suppliedOnly: JITP_CERTIFICATE_PARAMETERS };

  test('the certificate parameters are the subject fields AWS IoT reads, and the id', () => {
    expect([...JITP_CERTIFICATE_PARAMETERS].sort()).toEqual([
      'AWS::IoT::Certificate::CommonName', 'AWS::IoT::Certificate::Country', 'AWS::IoT::Certificate::DistinguishedNameQualifier',
      'AWS::IoT::Certificate::Id', 'AWS::IoT::Certificate::Organization', 'AWS::IoT::Certificate::OrganizationalUnit',
      'AWS::IoT::Certificate::SerialNumber', 'AWS::IoT::Certificate::StateName',
    ]);
  });

  test('a declared certificate parameter the certificate lacks fails although it has a Default', () => {
    const parameters = jitpParametersFromCertificate({ certificateId: CERTIFICATE_ID, subject: { commonName: 'sensor-1' } });
    const error = templateError(() => evaluateProvisioningTemplate(WITH_DEFAULTS, parameters, JITP));
    expect(error.message).toBe(
      'No value for parameter AWS::IoT::Certificate::Country: the certificate has no such field, and a Default does not stand in for one');
    expect(error.reason).toBe('parameters');
  });

  test('with the field in the certificate its value is used; other parameters keep their Default', () => {
    const parameters = jitpParametersFromCertificate({ certificateId: CERTIFICATE_ID, subject: { commonName: 'sensor-1', countryName: 'DE' } });
    expect(evaluateProvisioningTemplate(WITH_DEFAULTS, parameters, JITP).thing?.attributes).toEqual({ country: 'DE', fleet: 'lab' });
  });

  test('outside JITP (RegisterThing, fleet provisioning) the Default applies as declared', () => {
    expect(evaluateProvisioningTemplate(WITH_DEFAULTS, { 'AWS::IoT::Certificate::CommonName': 'sensor-1' }).thing?.attributes)
      .toEqual({ country: 'XX', fleet: 'lab' });
  });
});
