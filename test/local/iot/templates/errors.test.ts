import { body, configurationTemplate, templateError, thingTemplate } from './helpers';
import {
  evaluateProvisioningTemplate,
  parseTemplateBody,
  TEMPLATE_BODY_MAX_LENGTH,
  TemplateError,
  validateTemplate,
} from '../../../../local/iot/templates';

const THING = 'AWS::IoT::Thing';
const CERTIFICATE = 'AWS::IoT::Certificate';
const POLICY = 'AWS::IoT::Policy';

/** A body padded with spaces (JSON whitespace) to exactly `length` characters. */
function paddedBody(length: number, padding = ' '): string {
  const core = body({ Resources: {} });
  return core + padding.repeat(length - core.length);
}

describe('the body', () => {
  test('is limited to 10240 characters, with the API validation message past that', () => {
    expect(TEMPLATE_BODY_MAX_LENGTH).toBe(10240);
    expect(() => validateTemplate(paddedBody(10240), 'JITP')).not.toThrow();
    const error = templateError(() => validateTemplate(paddedBody(10241), 'JITP'));
    expect(error.message).toBe(
      "1 validation error detected: Value at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 10240",
    );
    expect(error.reason).toBe('template');
    expect(() => evaluateProvisioningTemplate(paddedBody(10241), {})).toThrow(/Member must have length less than or equal to 10240$/);
  });

  test('counts characters, not UTF-16 units: 10240 astral characters are within the limit', () => {
    const core = body({ Resources: {}, DeviceConfiguration: { x: '' } });
    const astral = '😀'.repeat(10240 - core.length);
    const atLimit = body({ Resources: {}, DeviceConfiguration: { x: astral } });
    expect(atLimit.length).toBeGreaterThan(10240);
    expect(evaluateProvisioningTemplate(atLimit, {}).deviceConfiguration.x).toBe(astral);
    expect(() => parseTemplateBody(`${atLimit} `)).toThrow(TemplateError);
  });

  test.each([
    ['not JSON', '{"Resources": {', /^Template format error: JSON not well-formed \(/],
    ['empty', '', /^Template format error: JSON not well-formed \(/],
    ['a JSON array', '[]', /^Template format error: the template body must be a JSON object$/],
    ['a JSON string', '"Resources"', /^Template format error: the template body must be a JSON object$/],
    ['null', 'null', /^Template format error: the template body must be a JSON object$/],
  ])('is refused when it is %s', (_, text, message) => {
    expect(templateError(() => parseTemplateBody(text)).message).toMatch(message);
    expect(templateError(() => validateTemplate(text, 'FLEET_PROVISIONING')).message).toMatch(message);
    expect(templateError(() => evaluateProvisioningTemplate(text, {})).message).toMatch(message);
  });

  test('parses to the template object', () => {
    expect(parseTemplateBody(' {"Resources": {}} ')).toEqual({ Resources: {} });
  });
});

/** Templates every entry point must refuse before evaluating anything, with the message expected. */
const STRUCTURAL_ERRORS: ReadonlyArray<readonly [string, string, string]> = [
  ['no Resources section', body({ Parameters: {} }), 'Template format error: the Resources section is missing'],
  ['a section that is not an object', body({ Resources: {}, Mappings: [] }), 'Template format error: the Mappings section must be a JSON object'],
  ['a parameter that is not an object', body({ Resources: {}, Parameters: { P: 'String' } }), 'Parameters.P must be an object with a Type'],
  ['a parameter of type Number', body({ Resources: {}, Parameters: { P: { Type: 'Number' } } }), 'Parameters.P: Type must be String'],
  ['a parameter with a non-string Default', body({ Resources: {}, Parameters: { P: { Type: 'String', Default: 5 } } }), 'Parameters.P: Default must be a string'],
  [
    'a parameter with AllowedValues',
    body({ Resources: {}, Parameters: { P: { Type: 'String', AllowedValues: ['a'] } } }),
    'Parameters.P: unsupported attribute AllowedValues (a parameter declares Type and an optional Default)',
  ],
  ['a mapping that is not a map', body({ Resources: {}, Mappings: { M: 'x' } }), 'Mappings.M must map keys to sets of named values'],
  ['a mapping key that is not a set of values', body({ Resources: {}, Mappings: { M: { k: 'x' } } }), 'Mappings.M.k must be a set of named values'],
  [
    'an intrinsic function in Mappings',
    body({ Resources: {}, Mappings: { M: { k: { v: { Ref: 'P' } } } } }),
    'Mappings.M.k.v must be a string or a list of strings: the Mappings section cannot include parameters, pseudo parameters or intrinsic functions',
  ],
  ['a resource that is not an object', body({ Resources: { r: 'thing' } }), 'Resources.r must be an object with Type and Properties'],
  [
    'an unknown resource type',
    body({ Resources: { group: { Type: 'AWS::IoT::ThingGroup', Properties: {} } } }),
    'Resources.group: unsupported resource type "AWS::IoT::ThingGroup"; valid types are AWS::IoT::Thing, AWS::IoT::Certificate, AWS::IoT::Policy',
  ],
  [
    'a resource attribute CloudFormation has but provisioning templates do not',
    body({ Resources: { p: { Type: POLICY, Properties: { PolicyName: 'p' }, DependsOn: 'x' } } }),
    'Resources.p: unsupported attribute DependsOn (a resource has Type, Properties, OverrideSettings and Condition)',
  ],
  ['a resource without Properties', body({ Resources: { t: { Type: THING } } }), 'Resources.t: Properties must be an object'],
  [
    'an unknown property',
    thingTemplate({ ThingNmae: 'typo' }),
    'Resources.thing: unknown property ThingNmae for AWS::IoT::Thing; valid properties are ThingName, ThingTypeName, ThingGroups, AttributePayload, BillingGroup',
  ],
  ['a documented property the local cloud does not model', thingTemplate({ PackageVersions: {} }), 'Resources.thing: property PackageVersions of AWS::IoT::Thing is not supported by the local cloud'],
  ['a thing without ThingName', body({ Resources: { t: { Type: THING, Properties: {} } } }), 'Resources.t: AWS::IoT::Thing requires ThingName'],
  [
    'two things',
    body({ Resources: { a: { Type: THING, Properties: { ThingName: 'a' } }, b: { Type: THING, Properties: { ThingName: 'b' } } } }),
    'A provisioning template can declare at most one AWS::IoT::Thing resource; found 2: a, b',
  ],
  [
    'two certificates',
    body({ Resources: { a: { Type: CERTIFICATE, Properties: { CertificateId: 'a' } }, b: { Type: CERTIFICATE, Properties: { CertificateId: 'b' } } } }),
    'A provisioning template can declare at most one AWS::IoT::Certificate resource; found 2: a, b',
  ],
  [
    'a certificate declared no way',
    body({ Resources: { c: { Type: CERTIFICATE, Properties: { Status: 'ACTIVE' } } } }),
    'Resources.c: declare the certificate in exactly one way (CertificateId, CertificatePem or CertificateSigningRequest); found none',
  ],
  [
    'a certificate declared two ways',
    body({ Resources: { c: { Type: CERTIFICATE, Properties: { CertificateId: 'x', CertificateSigningRequest: 'csr' } } } }),
    'Resources.c: declare the certificate in exactly one way (CertificateId, CertificatePem or CertificateSigningRequest); found CertificateId, CertificateSigningRequest',
  ],
  [
    'a CA certificate without a device certificate',
    body({ Resources: { c: { Type: CERTIFICATE, Properties: { CertificateId: 'x', CACertificatePem: 'ca' } } } }),
    'Resources.c: CACertificatePem can only accompany CertificatePem',
  ],
  ['a policy with neither name nor document', body({ Resources: { p: { Type: POLICY, Properties: {} } } }), 'Resources.p: Neither policyName nor policyDocument is present in the Template.'],
  [
    'a policy with both name and document',
    body({ Resources: { p: { Type: POLICY, Properties: { PolicyName: 'n', PolicyDocument: '{}' } } } }),
    'Resources.p: specify policyName or policyDocument, not both',
  ],
  [
    'OverrideSettings on a policy',
    body({ Resources: { p: { Type: POLICY, Properties: { PolicyName: 'n' }, OverrideSettings: {} } } }),
    'Resources.p: OverrideSettings are not available for policy resources',
  ],
  [
    'OverrideSettings that are not an object',
    body({ Resources: { t: { Type: THING, Properties: { ThingName: 'n' }, OverrideSettings: 'MERGE' } } }),
    'Resources.t: OverrideSettings must be an object',
  ],
  [
    'an OverrideSettings key the resource does not have',
    body({ Resources: { c: { Type: CERTIFICATE, Properties: { CertificateId: 'x' }, OverrideSettings: { AttributePayload: 'MERGE' } } } }),
    'Resources.c: OverrideSettings cannot name AttributePayload; valid keys for AWS::IoT::Certificate are Status',
  ],
  [
    'MERGE for a thing type',
    body({ Resources: { t: { Type: THING, Properties: { ThingName: 'n' }, OverrideSettings: { ThingTypeName: 'MERGE' } } } }),
    'Resources.t: OverrideSettings.ThingTypeName must be one of REPLACE, DO_NOTHING, FAIL',
  ],
  [
    'an inherited member name as an OverrideSettings key',
    body({ Resources: { t: { Type: THING, Properties: { ThingName: 'n' }, OverrideSettings: { toString: 'MERGE' } } } }),
    'Resources.t: OverrideSettings cannot name toString; valid keys for AWS::IoT::Thing are AttributePayload, ThingTypeName, ThingGroups',
  ],
  [
    'a resource Condition not declared',
    body({ Resources: { t: { Type: THING, Condition: 'constructor', Properties: { ThingName: 'n' } } } }),
    'Resources.t: Condition "constructor" is not declared in the Conditions section',
  ],
  ['an unknown intrinsic function', thingTemplate({ ThingName: { 'Fn::GetAtt': ['thing', 'Arn'] } }), 'Resources.thing.Properties.ThingName: Unsupported intrinsic function: Fn::GetAtt'],
  [
    'an unknown function deep in DeviceConfiguration',
    configurationTemplate({ a: { 'Fn::Join': ['', ['x', { 'Fn::Base64': 'y' }]] } }),
    'DeviceConfiguration.a.Fn::Join[1][1]: Unsupported intrinsic function: Fn::Base64',
  ],
  [
    'a condition function outside Conditions',
    configurationTemplate({ a: { 'Fn::Equals': ['x', 'y'] } }),
    'DeviceConfiguration.a: Fn::Equals can only be used in the Conditions section (use Fn::If with a condition name)',
  ],
  [
    'a value function as a condition',
    configurationTemplate({}, { Conditions: { C: { 'Fn::If': ['C', 'a', 'b'] } } }),
    'Conditions.C: Fn::If cannot be used as a condition; use Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}',
  ],
  [
    'a condition that is plain data',
    configurationTemplate({}, { Conditions: { C: 'true' } }),
    'Conditions.C: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}',
  ],
  [
    'a condition referring to an undeclared condition',
    configurationTemplate({}, { Conditions: { C: { 'Fn::Not': [{ Condition: 'Missing' }] } } }),
    'Conditions.C.Fn::Not[0]: condition Missing is not declared in the Conditions section',
  ],
  ['Fn::And with one condition', configurationTemplate({}, { Conditions: { A: { 'Fn::And': [{ Condition: 'A' }] } } }), 'Conditions.A: Fn::And takes a list of 2 to 10 conditions'],
  [
    'Fn::Or with eleven conditions',
    configurationTemplate({}, { Conditions: { A: { 'Fn::Equals': ['a', 'a'] }, O: { 'Fn::Or': Array(11).fill({ Condition: 'A' }) } } }),
    'Conditions.O: Fn::Or takes a list of 2 to 10 conditions',
  ],
  ['Fn::If naming an undeclared condition', configurationTemplate({ a: { 'Fn::If': ['Nope', 'x', 'y'] } }), 'DeviceConfiguration.a.Fn::If: condition Nope is not declared in the Conditions section'],
  ['Fn::If with two arguments', configurationTemplate({ a: { 'Fn::If': ['C', 'x'] } }), 'DeviceConfiguration.a: Fn::If takes a list of 3 arguments'],
  ['Fn::If with a computed condition name', configurationTemplate({ a: { 'Fn::If': [{ Ref: 'C' }, 'x', 'y'] } }), 'DeviceConfiguration.a: the condition name of Fn::If must be a literal string'],
  ['Ref to a non-string', configurationTemplate({ a: { Ref: ['P'] } }), 'DeviceConfiguration.a: Ref takes a name (a non-empty string)'],
  ['Fn::Join with a single argument', configurationTemplate({ a: { 'Fn::Join': ['x'] } }), 'DeviceConfiguration.a: Fn::Join takes a list of 2 arguments'],
  ['Fn::Join with a computed delimiter', configurationTemplate({ a: { 'Fn::Join': [{ Ref: 'D' }, ['x']] } }), 'DeviceConfiguration.a: the delimiter of Fn::Join must be a literal string'],
  ['Fn::Split that is not a list', configurationTemplate({ a: { 'Fn::Split': ',' } }), 'DeviceConfiguration.a: Fn::Split takes a list of 2 arguments'],
  ['Fn::Select with three arguments', configurationTemplate({ a: { 'Fn::Select': [0, ['x'], 'y'] } }), 'DeviceConfiguration.a: Fn::Select takes a list of 2 arguments'],
  ['Fn::FindInMap with two keys', configurationTemplate({ a: { 'Fn::FindInMap': ['M', 'k'] } }), 'DeviceConfiguration.a: Fn::FindInMap takes a list of 3 arguments'],
  ['Fn::FindInMap naming an undeclared map', configurationTemplate({ a: { 'Fn::FindInMap': ['Nope', 'k', 'v'] } }), 'DeviceConfiguration.a.Fn::FindInMap: mapping Nope is not declared in the Mappings section'],
  [
    'Fn::Sub with a variables list instead of a map',
    configurationTemplate({ a: { 'Fn::Sub': ['${x}', ['x']] } }),
    'DeviceConfiguration.a: Fn::Sub takes a string, or a list of a string and a map of variables',
  ],
  ['Fn::Not with two conditions', configurationTemplate({}, { Conditions: { N: { 'Fn::Not': [{ Condition: 'N' }, { Condition: 'N' }] } } }), 'Conditions.N: Fn::Not takes a list of 1 argument'],
];

describe.each(STRUCTURAL_ERRORS)('a template with %s', (_, template, message) => {
  test('is refused by validateTemplate for both kinds and by evaluateProvisioningTemplate, with the same message', () => {
    for (const kind of ['JITP', 'FLEET_PROVISIONING'] as const) {
      const error = templateError(() => validateTemplate(template, kind));
      expect(error.message).toBe(message);
      expect(error.reason).toBe('template');
    }
    expect(templateError(() => evaluateProvisioningTemplate(template, {})).message).toBe(message);
  });
});

/** Templates that pass validation and fail only when they run, with the message expected. */
const EVALUATION_ERRORS: ReadonlyArray<readonly [string, string, Record<string, string>, string, 'template' | 'parameters']> = [
  ['a Ref nothing defines', thingTemplate({ ThingName: { Ref: 'Missing' } }), {}, 'Cannot resolve reference value: Missing', 'parameters'],
  [
    'a declared parameter with neither value nor Default, even unreferenced',
    thingTemplate({}, { Parameters: { Unused: { Type: 'String' } } }),
    {},
    'No value for parameter Unused: it declares no Default and none was supplied',
    'parameters',
  ],
  ['a ThingName that evaluates to no value', thingTemplate({ ThingName: { Ref: 'AWS::NoValue' } }), {}, 'Resources.thing.Properties.ThingName must be a string', 'template'],
  ['a ThingName that is a list', thingTemplate({ ThingName: ['a'] }), {}, 'Resources.thing.Properties.ThingName must be a string', 'template'],
  ['a null property value', thingTemplate({ ThingTypeName: null }), {}, 'Resources.thing.Properties.ThingTypeName: null is not a valid value', 'template'],
  ['ThingGroups that are not a list', thingTemplate({ ThingGroups: 'group' }), {}, 'Resources.thing.Properties.ThingGroups must be a list of strings', 'template'],
  ['ThingGroups holding a list', thingTemplate({ ThingGroups: [['nested']] }), {}, 'Resources.thing.Properties.ThingGroups must be a list of strings', 'template'],
  ['an AttributePayload that is a string', thingTemplate({ AttributePayload: 'x' }), {}, 'Resources.thing.Properties.AttributePayload must be an object of names and values', 'template'],
  [
    'an AttributePayload in the CreateThing shape',
    thingTemplate({ AttributePayload: { Attributes: { a: 'b' } } }),
    {},
    'Resources.thing.Properties.AttributePayload.Attributes: attribute values must be strings',
    'template',
  ],
  [
    'a nested DeviceConfiguration object',
    configurationTemplate({ server: { url: 'https://example.com' } }),
    {},
    "DeviceConfiguration.server: The DeviceConfiguration section doesn't support nested JSON objects",
    'template',
  ],
  [
    'a DeviceConfiguration list',
    configurationTemplate({ urls: { 'Fn::Split': [',', 'a,b'] } }),
    {},
    "DeviceConfiguration.urls: The DeviceConfiguration section doesn't support nested JSON objects",
    'template',
  ],
  ['Fn::Join over a list holding a list', configurationTemplate({ a: { 'Fn::Join': ['', [['x']]] } }), {}, 'DeviceConfiguration.a.Fn::Join[1] must be a list of strings', 'template'],
  ['Fn::Split of a list', configurationTemplate({ a: { 'Fn::Split': [',', ['x']] } }), {}, 'DeviceConfiguration.a.Fn::Split[1] must be a string', 'template'],
  ['Fn::Select with a non-numeric index', configurationTemplate({ a: { 'Fn::Select': ['first', ['x']] } }), {}, 'DeviceConfiguration.a.Fn::Select: index first is out of bounds for a list of 1', 'parameters'],
  [
    'an Fn::Sub variable that is a list',
    configurationTemplate({ a: { 'Fn::Sub': ['${v}', { v: ['x'] }] } }),
    {},
    'DeviceConfiguration.a.Fn::Sub[1].v must be a string',
    'template',
  ],
  [
    'a condition that depends on itself',
    configurationTemplate({ a: { 'Fn::If': ['Loop', 'x', 'y'] } }, { Conditions: { Loop: { 'Fn::Not': [{ Condition: 'Loop' }] } } }),
    {},
    'Conditions.Loop depends on itself',
    'template',
  ],
  ['a Status outside ACTIVE and INACTIVE', body({ Resources: { c: { Type: CERTIFICATE, Properties: { CertificateId: 'x', Status: 'REVOKED' } } } }), {}, 'Resources.c.Properties.Status must be ACTIVE or INACTIVE, not "REVOKED"', 'template'],
  [
    'a PolicyDocument written as a JSON object',
    body({ Resources: { p: { Type: POLICY, Properties: { PolicyDocument: { Version: '2012-10-17', Statement: [] } } } } }),
    {},
    'Resources.p.Properties.PolicyDocument must be a JSON object specified as an escaped string',
    'template',
  ],
  [
    'a PolicyDocument that is not JSON',
    body({ Resources: { p: { Type: POLICY, Properties: { PolicyDocument: '{"Version": ' } } } }),
    {},
    'Resources.p.Properties.PolicyDocument is not valid JSON (',
    'template',
  ],
  [
    'a PolicyDocument that is a JSON array',
    body({ Resources: { p: { Type: POLICY, Properties: { PolicyDocument: '[]' } } } }),
    {},
    'Resources.p.Properties.PolicyDocument must be a JSON object specified as an escaped string',
    'template',
  ],
];

describe.each(EVALUATION_ERRORS)('a template with %s', (_, template, parameters, message, reason) => {
  test('passes validation and fails evaluation with a message naming the problem', () => {
    expect(() => validateTemplate(template, 'JITP')).not.toThrow();
    const error = templateError(() => evaluateProvisioningTemplate(template, parameters));
    expect(error.message.startsWith(message)).toBe(true);
    expect(error.reason).toBe(reason);
    expect(error.name).toBe('TemplateError');
    expect(error).toBeInstanceOf(Error);
  });
});
