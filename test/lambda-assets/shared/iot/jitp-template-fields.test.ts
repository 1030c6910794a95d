import {
  CERTIFICATE_PARAMETER_FIELDS,
  missingSubjectField,
  requiredSubjectFields,
  unacceptableSubjectValue,
  UnusableTemplateError,
} from '../../../../lambda-assets/shared/iot/jitp-template-fields';

/** The JITP example of the AWS IoT developer guide, in shape: CN, country and id from the certificate. */
const DEVELOPER_GUIDE_TEMPLATE = {
  Parameters: {
    'AWS::IoT::Certificate::CommonName': { Type: 'String' },
    'AWS::IoT::Certificate::Country': { Type: 'String' },
    'AWS::IoT::Certificate::Id': { Type: 'String' },
  },
  Resources: {
    thing: {
      Type: 'AWS::IoT::Thing',
      Properties: { ThingName: { Ref: 'AWS::IoT::Certificate::CommonName' }, AttributePayload: { country: { Ref: 'AWS::IoT::Certificate::Country' } } },
    },
    certificate: { Type: 'AWS::IoT::Certificate', Properties: { CertificateId: { Ref: 'AWS::IoT::Certificate::Id' }, Status: 'ACTIVE' } },
  },
};

describe('requiredSubjectFields', () => {
  test('every declared certificate parameter but ::Id, mapped to its subject field, in template order', () => {
    expect(requiredSubjectFields(JSON.stringify(DEVELOPER_GUIDE_TEMPLATE))).toEqual([
      { field: 'commonName', parameter: 'AWS::IoT::Certificate::CommonName', valueRules: [expect.objectContaining({ usedAs: 'the thing name' })] },
      { field: 'countryName', parameter: 'AWS::IoT::Certificate::Country', valueRules: [expect.objectContaining({ usedAs: "thing attribute 'country'" })] },
    ]);
  });

  test('all seven subject parameters AWS IoT defines', () => {
    const parameters = Object.fromEntries(Object.keys(CERTIFICATE_PARAMETER_FIELDS).map((name) => [name, { Type: 'String' }]));
    expect(requiredSubjectFields(JSON.stringify({ Parameters: parameters })).map((entry) => entry.field)).toEqual([
      'commonName', 'countryName', 'organizationName', 'organizationUnitName', 'dnQualifier', 'stateName', 'serialNumber',
    ]);
  });

  test('no Parameters, only ::Id, or only parameters of other sources: nothing required of the subject', () => {
    expect(requiredSubjectFields('{"Resources":{}}')).toEqual([]);
    expect(requiredSubjectFields(JSON.stringify({ Parameters: { 'AWS::IoT::Certificate::Id': { Type: 'String' } } }))).toEqual([]);
    expect(requiredSubjectFields(JSON.stringify({ Parameters: { ThingName: { Type: 'String', Default: 'x' } } }))).toEqual([]);
  });

  test.each([
    ['not JSON', 'Parameters: {}', /not JSON/],
    ['an array', '[]', /not a JSON object/],
    ['Parameters as a list', '{"Parameters":["AWS::IoT::Certificate::CommonName"]}', /Parameters is not an object/],
    ['an undefined certificate parameter', '{"Parameters":{"AWS::IoT::Certificate::Locality":{"Type":"String"}}}', /declares AWS::IoT::Certificate::Locality/],
    ['a parameter named after Object.prototype', '{"Parameters":{"AWS::IoT::Certificate::constructor":{}}}', /declares AWS::IoT::Certificate::constructor/],
  ])('unusable: %s', (_name, body, message) => {
    expect(() => requiredSubjectFields(body)).toThrow(UnusableTemplateError);
    expect(() => requiredSubjectFields(body)).toThrow(message);
  });
});

describe('missingSubjectField', () => {
  const required = requiredSubjectFields(JSON.stringify(DEVELOPER_GUIDE_TEMPLATE));

  test('the first field the subject lacks, or undefined when it has them all', () => {
    expect(missingSubjectField({ commonName: 'sensor-1', countryName: 'DE' }, required)).toBeUndefined();
    expect(missingSubjectField({ commonName: 'sensor-1' }, required)).toMatchObject({ field: 'countryName', parameter: 'AWS::IoT::Certificate::Country' });
    expect(missingSubjectField({ organizationName: 'Acme' }, required)).toMatchObject({ field: 'commonName', parameter: 'AWS::IoT::Certificate::CommonName' });
    expect(missingSubjectField({ commonName: 'sensor-1', countryName: '' }, required)?.field).toBe('countryName');
    expect(missingSubjectField({}, [])).toBeUndefined();
  });
});

describe('unacceptableSubjectValue', () => {
  const required = requiredSubjectFields(JSON.stringify(DEVELOPER_GUIDE_TEMPLATE));

  test('values AWS IoT takes as thing name and attribute pass', () => {
    expect(unacceptableSubjectValue({ commonName: 'sensor-7:a_b', countryName: 'FR' }, required)).toBeUndefined();
  });

  test.each([
    [{ commonName: 'sensor 7', countryName: 'FR' }, 'commonName', 'the thing name'],
    [{ commonName: 'x'.repeat(129), countryName: 'FR' }, 'commonName', 'the thing name'],
    [{ commonName: 'sensor-7', countryName: 'F R' }, 'countryName', "thing attribute 'country'"],
    [{ commonName: 'sensor-7', countryName: 'Ünï' }, 'countryName', "thing attribute 'country'"],
  ])('%j breaks the rule for %s (%s)', (subject, field, usedAs) => {
    const found = unacceptableSubjectValue(subject, required);
    expect(found?.required.field).toBe(field);
    expect(found?.rule.usedAs).toBe(usedAs);
  });

  test('a value the template transforms (not a bare Ref) is left to AWS IoT', () => {
    const joined = {
      ...DEVELOPER_GUIDE_TEMPLATE,
      Resources: { thing: { Type: 'AWS::IoT::Thing', Properties: { ThingName: { 'Fn::Join': ['-', ['dev', { Ref: 'AWS::IoT::Certificate::CommonName' }]] } } } },
    };
    expect(unacceptableSubjectValue({ commonName: 'has space', countryName: 'FR' }, requiredSubjectFields(JSON.stringify(joined)))).toBeUndefined();
  });
});
