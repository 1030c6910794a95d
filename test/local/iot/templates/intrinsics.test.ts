import { body, configurationTemplate, templateError, thingTemplate } from './helpers';
import { evaluateProvisioningTemplate } from '../../../../local/iot/templates';

/** Evaluates a DeviceConfiguration made of `configuration` and returns it. */
function configure(configuration: Record<string, unknown>, parameters: Record<string, string> = {}, sections: Record<string, unknown> = {}) {
  return evaluateProvisioningTemplate(configurationTemplate(configuration, sections), parameters).deviceConfiguration;
}

const STRING_PARAMETERS = { Parameters: { Name: { Type: 'String' }, Region: { Type: 'String', Default: 'eu-west-1' } } };

describe('Ref', () => {
  test('gives a supplied parameter value, the Default when none is supplied, and the supplied value over the Default', () => {
    expect(configure({ name: { Ref: 'Name' }, region: { Ref: 'Region' } }, { Name: 'lamp' }, STRING_PARAMETERS))
      .toEqual({ name: 'lamp', region: 'eu-west-1' });
    expect(configure({ region: { Ref: 'Region' } }, { Name: 'lamp', Region: 'us-east-1' }, STRING_PARAMETERS))
      .toEqual({ region: 'us-east-1' });
  });

  test('resolves AWS::IoT::Certificate::Id from the supplied values even when the template does not declare it', () => {
    expect(configure({ id: { Ref: 'AWS::IoT::Certificate::Id' } }, { 'AWS::IoT::Certificate::Id': 'f'.repeat(64) }))
      .toEqual({ id: 'f'.repeat(64) });
  });

  test('AWS::NoValue removes a property, an attribute, a list element and a DeviceConfiguration entry', () => {
    const plan = evaluateProvisioningTemplate(thingTemplate({
      ThingTypeName: { Ref: 'AWS::NoValue' },
      ThingGroups: ['kept', { Ref: 'AWS::NoValue' }],
      AttributePayload: { kept: 'yes', dropped: { Ref: 'AWS::NoValue' } },
    }, { DeviceConfiguration: { kept: 'yes', dropped: { Ref: 'AWS::NoValue' } } }), {});
    expect(plan.thing).toEqual({
      logicalId: 'thing',
      thingName: 'device',
      thingGroups: ['kept'],
      attributes: { kept: 'yes' },
      overrideSettings: {},
    });
    expect(plan.deviceConfiguration).toEqual({ kept: 'yes' });
  });

  test('fails with the message AWS IoT gives for a name nothing defines', () => {
    const error = templateError(() => configure({ region: { Ref: 'AWS::Region' } }));
    expect(error.message).toBe('Cannot resolve reference value: AWS::Region');
    expect(error.reason).toBe('parameters');
  });
});

describe('Fn::Join', () => {
  test('joins with a delimiter, or concatenates with an empty one', () => {
    expect(configure({
      dashed: { 'Fn::Join': ['-', ['a', { Ref: 'Name' }, 'c']] },
      plain: { 'Fn::Join': ['', ['prefix_', { Ref: 'Name' }]] },
      empty: { 'Fn::Join': [',', []] },
    }, { Name: 'b' }, STRING_PARAMETERS)).toEqual({ dashed: 'a-b-c', plain: 'prefix_b', empty: '' });
  });

  test('joins a list produced by another function', () => {
    expect(configure({ joined: { 'Fn::Join': ['/', { 'Fn::Split': [',', 'x,y,z'] }] } })).toEqual({ joined: 'x/y/z' });
  });
});

describe('Fn::Split and Fn::Select', () => {
  test('select an element of a split string by a string or numeric index', () => {
    expect(configure({
      second: { 'Fn::Select': ['1', { 'Fn::Split': ['-', { Ref: 'Name' }] }] },
      first: { 'Fn::Select': [0, { 'Fn::Split': ['-', { Ref: 'Name' }] }] },
      literal: { 'Fn::Select': [2, ['apples', 'grapes', 'oranges']] },
    }, { Name: 'acme-sensor-v2' }, STRING_PARAMETERS)).toEqual({ second: 'sensor', first: 'acme', literal: 'oranges' });
  });

  test('Fn::Select fails for an index outside the list or not a whole number', () => {
    expect(templateError(() => configure({ x: { 'Fn::Select': ['3', ['a', 'b']] } })).message)
      .toBe('DeviceConfiguration.x.Fn::Select: index 3 is out of bounds for a list of 2');
    expect(templateError(() => configure({ x: { 'Fn::Select': ['-1', ['a', 'b']] } })).message)
      .toBe('DeviceConfiguration.x.Fn::Select: index -1 is out of bounds for a list of 2');
  });

  test('Fn::Select fails when its second argument is not a list', () => {
    expect(templateError(() => configure({ x: { 'Fn::Select': ['0', 'abc'] } })).message).toBe('DeviceConfiguration.x.Fn::Select[1] must be a list');
  });
});

describe('Fn::FindInMap', () => {
  const MAPPINGS = {
    ...STRING_PARAMETERS,
    Mappings: {
      Endpoints: {
        'eu-west-1': { Url: 'https://eu.example.com', Ports: ['8883', '443'] },
        'us-east-1': { Url: 'https://us.example.com', Ports: ['8883'] },
      },
    },
  };

  test('looks keys up from parameters, and lists from the map feed Fn::Select', () => {
    expect(configure({
      url: { 'Fn::FindInMap': ['Endpoints', { Ref: 'Region' }, 'Url'] },
      port: { 'Fn::Select': ['1', { 'Fn::FindInMap': ['Endpoints', { Ref: 'Region' }, 'Ports'] }] },
    }, { Name: 'n' }, MAPPINGS)).toEqual({ url: 'https://eu.example.com', port: '443' });
    expect(configure({ url: { 'Fn::FindInMap': ['Endpoints', { Ref: 'Region' }, 'Url'] } }, { Name: 'n', Region: 'us-east-1' }, MAPPINGS))
      .toEqual({ url: 'https://us.example.com' });
  });

  test('fails for a missing second-level key, and does not find inherited object members', () => {
    expect(templateError(() => configure({ x: { 'Fn::FindInMap': ['Endpoints', 'eu-west-1', 'Host'] } }, { Name: 'n' }, MAPPINGS)).message)
      .toBe('DeviceConfiguration.x.Fn::FindInMap: Unable to get mapping for Endpoints::eu-west-1::Host');
    expect(templateError(() => configure({ x: { 'Fn::FindInMap': ['Endpoints', 'constructor', 'name'] } }, { Name: 'n' }, MAPPINGS)).message)
      .toBe('DeviceConfiguration.x.Fn::FindInMap: Unable to get mapping for Endpoints::constructor::name');
    expect(templateError(() => configure({ x: { 'Fn::FindInMap': [{ Ref: 'Name' }, 'a', 'b'] } }, { Name: 'toString' }, MAPPINGS)).message)
      .toBe('DeviceConfiguration.x.Fn::FindInMap: Unable to get mapping for toString::a::b');
  });
});

describe('Fn::Sub', () => {
  test('substitutes parameters in the string form', () => {
    expect(configure({ topic: { 'Fn::Sub': 'devices/${Name}/in/${Region}' } }, { Name: 'lamp' }, STRING_PARAMETERS))
      .toEqual({ topic: 'devices/lamp/in/eu-west-1' });
  });

  test('the list form takes variables (themselves expressions) that win over parameters of the same name', () => {
    expect(configure({
      topic: { 'Fn::Sub': ['${Site}/${Name}/${ Region }', { Site: { 'Fn::Join': ['-', ['plant', '7']] }, Name: 'override' }] },
    }, { Name: 'lamp' }, STRING_PARAMETERS)).toEqual({ topic: 'plant-7/override/eu-west-1' });
  });

  test('${!Literal} writes ${Literal}, so policy variables survive; a ${ without a closing brace is literal', () => {
    expect(configure({
      resource: { 'Fn::Sub': 'arn:aws:iot:${Region}:123456789012:client/${!iot:Connection.Thing.ThingName}' },
      open: { 'Fn::Sub': 'cost: ${5' },
      plain: { 'Fn::Sub': 'no variables' },
    }, { Name: 'n' }, STRING_PARAMETERS)).toEqual({
      resource: 'arn:aws:iot:eu-west-1:123456789012:client/${iot:Connection.Thing.ThingName}',
      open: 'cost: ${5',
      plain: 'no variables',
    });
  });

  test('fails for a variable nothing defines, including a policy variable written without "!"', () => {
    const error = templateError(() => configure({ r: { 'Fn::Sub': 'client/${iot:Connection.Thing.ThingName}' } }));
    expect(error.message).toBe(
      'Cannot resolve reference value: iot:Connection.Thing.ThingName (in Fn::Sub; write ${!iot:Connection.Thing.ThingName} for the literal text ${iot:Connection.Thing.ThingName})',
    );
    expect(error.reason).toBe('parameters');
    expect(templateError(() => configure({ r: { 'Fn::Sub': ['${constructor}', {}] } })).message).toMatch(/^Cannot resolve reference value: constructor /);
  });
});

describe('Conditions and Fn::If', () => {
  const CONDITIONS = {
    Parameters: { Stage: { Type: 'String', Default: 'prod' }, Region: { Type: 'String', Default: 'eu-west-1' } },
    Conditions: {
      IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] },
      IsEurope: { 'Fn::Equals': ['eu', { 'Fn::Select': [0, { 'Fn::Split': ['-', { Ref: 'Region' }] }] }] },
      IsNotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      IsEuropeanProd: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'IsEurope' }] },
      IsProdOrEurope: { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsEurope' }] },
    },
  };
  const answers = {
    prod: { 'Fn::If': ['IsProd', 'yes', 'no'] },
    europe: { 'Fn::If': ['IsEurope', 'yes', 'no'] },
    notProd: { 'Fn::If': ['IsNotProd', 'yes', 'no'] },
    europeanProd: { 'Fn::If': ['IsEuropeanProd', 'yes', 'no'] },
    prodOrEurope: { 'Fn::If': ['IsProdOrEurope', 'yes', 'no'] },
  };

  test.each([
    [{}, { prod: 'yes', europe: 'yes', notProd: 'no', europeanProd: 'yes', prodOrEurope: 'yes' }],
    [{ Region: 'us-east-1' }, { prod: 'yes', europe: 'no', notProd: 'no', europeanProd: 'no', prodOrEurope: 'yes' }],
    [{ Stage: 'dev' }, { prod: 'no', europe: 'yes', notProd: 'yes', europeanProd: 'no', prodOrEurope: 'yes' }],
    [{ Stage: 'dev', Region: 'us-east-1' }, { prod: 'no', europe: 'no', notProd: 'yes', europeanProd: 'no', prodOrEurope: 'no' }],
  ])('Fn::Equals, Fn::Not, Fn::And, Fn::Or and condition references with %j', (parameters, expected) => {
    expect(configure(answers, parameters, CONDITIONS)).toEqual(expected);
  });

  test('Fn::If branches are expressions, and Fn::Equals compares lists too', () => {
    expect(configure({
      url: { 'Fn::If': ['IsSplit', { 'Fn::Sub': 'https://${Stage}.example.com' }, { Ref: 'AWS::NoValue' }] },
    }, { Stage: 'qa' }, {
      ...CONDITIONS,
      Conditions: { IsSplit: { 'Fn::Equals': [{ 'Fn::Split': ['.', 'a.b'] }, ['a', 'b']] } },
    })).toEqual({ url: 'https://qa.example.com' });
  });

  test('a resource whose condition is false is left out of the plan', () => {
    const template = body({
      ...CONDITIONS,
      Resources: {
        thing: { Type: 'AWS::IoT::Thing', Condition: 'IsProd', Properties: { ThingName: 'prod-device' } },
        devPolicy: { Type: 'AWS::IoT::Policy', Condition: 'IsNotProd', Properties: { PolicyName: 'dev-policy' } },
        policy: { Type: 'AWS::IoT::Policy', Properties: { PolicyName: 'base-policy' } },
      },
    });
    const prod = evaluateProvisioningTemplate(template, {});
    expect(prod.thing?.thingName).toBe('prod-device');
    expect(prod.policies).toEqual([{ logicalId: 'policy', policyName: 'base-policy' }]);
    const dev = evaluateProvisioningTemplate(template, { Stage: 'dev' });
    expect(dev.thing).toBeUndefined();
    expect(dev.policies).toEqual([{ logicalId: 'devPolicy', policyName: 'dev-policy' }, { logicalId: 'policy', policyName: 'base-policy' }]);
  });
});

describe('literals', () => {
  test('numbers and booleans become strings, as in CloudFormation', () => {
    expect(configure({ retries: 3, secure: true, ratio: 0.5 })).toEqual({ retries: '3', secure: 'true', ratio: '0.5' });
  });
});
