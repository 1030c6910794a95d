import { body, templateError } from './helpers';
import { validateTemplate } from '../../../../local/iot/templates';

function certificateTemplate(properties: Record<string, unknown>): string {
  return body({ Resources: { cert: { Type: 'AWS::IoT::Certificate', Properties: properties } } });
}

describe('validateTemplate', () => {
  test('a fleet-provisioning template may name its certificate only by id', () => {
    expect(() => validateTemplate(certificateTemplate({ CertificateId: { Ref: 'AWS::IoT::Certificate::Id' } }), 'FLEET_PROVISIONING')).not.toThrow();
    expect(() => validateTemplate(certificateTemplate({ CertificateID: { Ref: 'AWS::IoT::Certificate::Id' } }), 'FLEET_PROVISIONING')).not.toThrow();
    for (const properties of [{ CertificatePem: 'pem' }, { CertificateSigningRequest: 'csr' }]) {
      const error = templateError(() => validateTemplate(certificateTemplate(properties), 'FLEET_PROVISIONING'));
      expect(error.message).toBe(
        'Resources.cert: only certificate IDs can be used with a fleet provisioning template (CertificateId: {"Ref": "AWS::IoT::Certificate::Id"})',
      );
      expect(error.reason).toBe('template');
    }
  });

  test('a JITP template may name its certificate any documented way', () => {
    for (const properties of [{ CertificateId: 'id' }, { CertificatePem: 'pem', CACertificatePem: 'ca' }, { CertificateSigningRequest: 'csr' }]) {
      expect(() => validateTemplate(certificateTemplate(properties), 'JITP')).not.toThrow();
    }
  });

  test('a fleet-provisioning template without a certificate resource is accepted', () => {
    expect(() => validateTemplate(body({ Resources: { p: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'p' } } } }), 'FLEET_PROVISIONING')).not.toThrow();
  });

  test('leaves Ref targets and parameter values to evaluation, as AWS IoT stores such templates and fails them when they run', () => {
    const template = body({
      Parameters: { Serial: { Type: 'String' } },
      Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Sub': '${AWS::Region}-${Serial}' } } } },
    });
    expect(() => validateTemplate(template, 'FLEET_PROVISIONING')).not.toThrow();
    expect(() => validateTemplate(template, 'JITP')).not.toThrow();
  });
});
