import { isConditionTrue, ResolutionContext, resolveValue, UnresolvableError } from '../../../../local/runner/assembly';

function context(overrides: Partial<ResolutionContext> = {}): ResolutionContext {
  return {
    accountId: '123456789012',
    region: 'eu-west-1',
    stackName: 'Demo',
    ref: (logicalId) => (logicalId.startsWith('Missing') ? undefined : `local-${logicalId}`),
    getAtt: (logicalId, attribute) => (logicalId.startsWith('Missing') ? undefined : `${logicalId}#${attribute}`),
    ...overrides,
  };
}

function errorOf(fn: () => unknown): UnresolvableError {
  try {
    fn();
  } catch (error) {
    expect(error).toBeInstanceOf(UnresolvableError);
    return error as UnresolvableError;
  }
  throw new Error('expected an UnresolvableError');
}

describe('resolveValue', () => {
  test('leaves plain values alone and walks objects and lists deeply', () => {
    const value = { a: 1, b: [true, null, 'x', { c: { Ref: 'Bucket' } }], d: { e: 'f' } };
    expect(resolveValue(value, context())).toEqual({ a: 1, b: [true, null, 'x', { c: 'local-Bucket' }], d: { e: 'f' } });
  });

  test('does not mutate its input', () => {
    const value = { a: { Ref: 'Bucket' } };
    resolveValue(value, context());
    expect(value).toEqual({ a: { Ref: 'Bucket' } });
  });

  describe('Ref', () => {
    test('resources through context.ref', () => {
      expect(resolveValue({ Ref: 'Queue' }, context())).toBe('local-Queue');
    });

    test('pseudo parameters', () => {
      const resolve = (name: string, overrides?: Partial<ResolutionContext>) => resolveValue({ Ref: name }, context(overrides));
      expect(resolve('AWS::AccountId')).toBe('123456789012');
      expect(resolve('AWS::Region')).toBe('eu-west-1');
      expect(resolve('AWS::Partition')).toBe('aws');
      expect(resolve('AWS::Partition', { partition: 'aws-us-gov' })).toBe('aws-us-gov');
      expect(resolve('AWS::StackName')).toBe('Demo');
      expect(resolve('AWS::URLSuffix')).toBe('amazonaws.com');
      expect(resolve('AWS::URLSuffix', { partition: 'aws-cn' })).toBe('amazonaws.com.cn');
      expect(resolve('AWS::URLSuffix', { urlSuffix: 'localhost' })).toBe('localhost');
      expect(resolve('AWS::StackId')).toBe('arn:aws:cloudformation:eu-west-1:123456789012:stack/Demo/local');
      expect(resolve('AWS::NotificationARNs')).toEqual([]);
    });

    test('AWS::NoValue removes the property or list item', () => {
      const value = { keep: 'x', drop: { Ref: 'AWS::NoValue' }, list: ['a', { Ref: 'AWS::NoValue' }, 'b'] };
      expect(resolveValue(value, context())).toEqual({ keep: 'x', list: ['a', 'b'] });
      expect(resolveValue({ Ref: 'AWS::NoValue' }, context())).toBeUndefined();
    });

    test('unknown resources and pseudo parameters are unresolvable', () => {
      expect(errorOf(() => resolveValue({ a: { Ref: 'MissingThing' } }, context())).message)
        .toBe('cannot resolve $.a.Ref: Ref to MissingThing, which has no local value');
      expect(errorOf(() => resolveValue({ Ref: 'AWS::Nope' }, context())).reason).toMatch(/unknown pseudo parameter AWS::Nope/);
      expect(errorOf(() => resolveValue({ Ref: ['x'] }, context())).reason).toMatch(/expected a string/);
    });
  });

  describe('Fn::GetAtt', () => {
    test('array and dotted-string forms', () => {
      expect(resolveValue({ 'Fn::GetAtt': ['Fn', 'Arn'] }, context())).toBe('Fn#Arn');
      expect(resolveValue({ 'Fn::GetAtt': 'Fn.Arn' }, context())).toBe('Fn#Arn');
      expect(resolveValue({ 'Fn::GetAtt': 'Db.Endpoint.Address' }, context())).toBe('Db#Endpoint.Address');
      expect(resolveValue({ 'Fn::GetAtt': ['Fn', { Ref: 'AWS::Region' }] }, context())).toBe('Fn#eu-west-1');
    });

    test('unknown attributes and malformed forms are unresolvable', () => {
      expect(errorOf(() => resolveValue({ x: [{ 'Fn::GetAtt': ['MissingFn', 'Arn'] }] }, context())).message)
        .toBe('cannot resolve $.x[0].Fn::GetAtt: Fn::GetAtt MissingFn.Arn, which has no local value');
      expect(errorOf(() => resolveValue({ 'Fn::GetAtt': 'NoDot' }, context())).reason).toMatch(/malformed/);
      expect(errorOf(() => resolveValue({ 'Fn::GetAtt': ['OnlyOne'] }, context())).reason).toMatch(/needs a list of 2/);
    });
  });

  describe('Fn::Join', () => {
    test('joins resolved items, numbers as strings', () => {
      const value = { 'Fn::Join': [':', ['arn', { Ref: 'AWS::Partition' }, 'sqs', { Ref: 'AWS::Region' }, 42]] };
      expect(resolveValue(value, context())).toBe('arn:aws:sqs:eu-west-1:42');
    });

    test('joins a list produced by another function', () => {
      expect(resolveValue({ 'Fn::Join': ['-', { 'Fn::Split': [',', 'a,b,c'] }] }, context())).toBe('a-b-c');
    });

    test('rejects a non-list and non-string items', () => {
      expect(errorOf(() => resolveValue({ 'Fn::Join': ['', 'abc'] }, context())).reason).toMatch(/needs a list/);
      expect(errorOf(() => resolveValue({ 'Fn::Join': ['', [{ a: 1 }]] }, context())).path).toBe('$.Fn::Join[1][0]');
    });
  });

  describe('Fn::Sub', () => {
    test('string form with pseudo parameters, Refs and attributes', () => {
      const value = { 'Fn::Sub': 'arn:${AWS::Partition}:s3:::${Bucket}/${Fn.Arn}-${AWS::AccountId}' };
      expect(resolveValue(value, context())).toBe('arn:aws:s3:::local-Bucket/Fn#Arn-123456789012');
    });

    test('list form with a variables map that may hold intrinsics and shadow references', () => {
      const value = { 'Fn::Sub': ['${Greeting}, ${Bucket}! ${Name}', { Greeting: 'Hello', Bucket: 'shadowed', Name: { Ref: 'AWS::StackName' } }] };
      expect(resolveValue(value, context())).toBe('Hello, shadowed! Demo');
    });

    test('${!Literal} is written out as ${Literal}', () => {
      expect(resolveValue({ 'Fn::Sub': '${!Literal}-${AWS::Region}' }, context())).toBe('${Literal}-eu-west-1');
    });

    test('unknown names, bad variables and non-strings are unresolvable', () => {
      expect(errorOf(() => resolveValue({ 'Fn::Sub': 'x-${MissingRes}' }, context())).message).toMatch(/Ref to MissingRes/);
      expect(errorOf(() => resolveValue({ 'Fn::Sub': 'x-${MissingRes.Arn}' }, context())).message).toMatch(/Fn::GetAtt MissingRes.Arn/);
      expect(errorOf(() => resolveValue({ 'Fn::Sub': ['x', ['not a map']] }, context())).reason).toMatch(/variables must be a map/);
      expect(errorOf(() => resolveValue({ 'Fn::Sub': { a: 1 } }, context())).reason).toMatch(/expected a string/);
    });
  });

  describe('Fn::Select and Fn::Split', () => {
    test('select an item of a literal or split list', () => {
      expect(resolveValue({ 'Fn::Select': [1, ['a', 'b', 'c']] }, context())).toBe('b');
      expect(resolveValue({ 'Fn::Select': ['2', { 'Fn::Split': ['/', 'x/y/z'] }] }, context())).toBe('z');
      expect(resolveValue({ 'Fn::Split': [':', { 'Fn::GetAtt': ['Fn', 'Arn'] }] }, context())).toEqual(['Fn#Arn']);
    });

    test('out-of-range indexes and non-lists are unresolvable', () => {
      expect(errorOf(() => resolveValue({ 'Fn::Select': [3, ['a']] }, context())).reason).toMatch(/out of range/);
      expect(errorOf(() => resolveValue({ 'Fn::Select': [-1, ['a']] }, context())).reason).toMatch(/out of range/);
      expect(errorOf(() => resolveValue({ 'Fn::Select': [0, 'a'] }, context())).reason).toMatch(/needs a list/);
      expect(errorOf(() => resolveValue({ 'Fn::Split': [',', ['a']] }, context())).reason).toMatch(/expected a string/);
    });
  });

  describe('Fn::If and conditions', () => {
    const conditions = {
      IsIreland: { 'Fn::Equals': [{ Ref: 'AWS::Region' }, 'eu-west-1'] },
      IsProd: { 'Fn::Equals': ['prod', { Ref: 'Stage' }] },
      NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      Both: { 'Fn::And': [{ Condition: 'IsIreland' }, { Condition: 'NotProd' }] },
      Either: { 'Fn::Or': [{ Condition: 'IsProd' }, { 'Fn::Equals': ['1', 1] }] },
      Loop: { 'Fn::Not': [{ Condition: 'Loop' }] },
      Weird: { Ref: 'AWS::Region' },
    };
    const withConditions = context({ conditions });

    test('chooses the branch of the named condition', () => {
      const branch = (name: string) => resolveValue({ 'Fn::If': [name, { Ref: 'AWS::Region' }, 'no'] }, withConditions);
      expect(branch('IsIreland')).toBe('eu-west-1');
      expect(branch('IsProd')).toBe('no');
      expect(branch('NotProd')).toBe('eu-west-1');
      expect(branch('Both')).toBe('eu-west-1');
      expect(branch('Either')).toBe('eu-west-1');
    });

    test('a branch of AWS::NoValue removes the property', () => {
      const value = { Name: { 'Fn::If': ['IsProd', 'prod-name', { Ref: 'AWS::NoValue' }] } };
      expect(resolveValue(value, withConditions)).toEqual({});
    });

    test('isConditionTrue evaluates a resource condition', () => {
      expect(isConditionTrue('Both', withConditions)).toBe(true);
      expect(isConditionTrue('IsProd', withConditions)).toBe(false);
    });

    test('condition functions in a value evaluate to booleans', () => {
      expect(resolveValue({ 'Fn::Equals': ['a', 'a'] }, withConditions)).toBe(true);
      expect(resolveValue({ 'Fn::Not': [{ 'Fn::Equals': ['a', 'a'] }] }, withConditions)).toBe(false);
      expect(resolveValue({ 'Fn::And': [{ Condition: 'IsIreland' }, { 'Fn::Equals': ['a', 'b'] }] }, withConditions)).toBe(false);
      expect(resolveValue({ 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsIreland' }] }, withConditions)).toBe(true);
    });

    test('undefined, cyclic and malformed conditions are unresolvable', () => {
      expect(errorOf(() => resolveValue({ 'Fn::If': ['Nope', 'a', 'b'] }, withConditions)).reason).toMatch(/condition Nope is not defined/);
      expect(errorOf(() => resolveValue({ 'Fn::If': ['IsProd', 'a', 'b'] }, context())).reason).toMatch(/condition IsProd is not defined/);
      expect(errorOf(() => isConditionTrue('Loop', withConditions)).reason).toMatch(/refers to itself/);
      expect(errorOf(() => isConditionTrue('Weird', withConditions)).reason).toMatch(/not a condition/);
      expect(errorOf(() => resolveValue({ 'Fn::If': ['IsProd', 'a'] }, withConditions)).reason).toMatch(/needs a list of 3/);
      expect(errorOf(() => resolveValue({ 'Fn::And': [{ Condition: 'IsProd' }] }, withConditions)).reason).toMatch(/at least 2/);
    });
  });

  describe('other functions', () => {
    test('Fn::Base64 and Fn::FindInMap', () => {
      expect(resolveValue({ 'Fn::Base64': { 'Fn::Sub': '${AWS::Region}' } }, context())).toBe(Buffer.from('eu-west-1').toString('base64'));
      const mappings = { Regions: { 'eu-west-1': { Ami: 'ami-1' } } };
      expect(resolveValue({ 'Fn::FindInMap': ['Regions', { Ref: 'AWS::Region' }, 'Ami'] }, context({ mappings }))).toBe('ami-1');
      expect(errorOf(() => resolveValue({ 'Fn::FindInMap': ['Regions', 'x', 'Ami'] }, context({ mappings }))).reason)
        .toMatch(/mapping Regions.x.Ami is not defined/);
    });

    test('Fn::ImportValue is unresolvable and names the export', () => {
      expect(errorOf(() => resolveValue({ Q: { 'Fn::ImportValue': 'Shared-QueueArn' } }, context())).message)
        .toBe('cannot resolve $.Q.Fn::ImportValue: Fn::ImportValue of export "Shared-QueueArn": cross-stack imports are not supported locally');
      expect(errorOf(() => resolveValue({ 'Fn::ImportValue': { 'Fn::Sub': '${AWS::StackName}-Arn' } }, context())).reason)
        .toMatch(/export "Demo-Arn"/);
      expect(errorOf(() => resolveValue({ 'Fn::ImportValue': { Ref: 'MissingName' } }, context())).reason)
        .toMatch(/export \{"Ref":"MissingName"\}/);
    });

    test('an unknown function is unresolvable and names the path', () => {
      const error = errorOf(() => resolveValue({ Props: { List: ['a', { 'Fn::GetAZs': '' }] } }, context(), 'Resources.Subnet.Properties'));
      expect(error.path).toBe('Resources.Subnet.Properties.Props.List[1].Fn::GetAZs');
      expect(error.message).toBe('cannot resolve Resources.Subnet.Properties.Props.List[1].Fn::GetAZs: unsupported intrinsic function Fn::GetAZs');
    });

    test('objects with more than one key are plain objects, not functions', () => {
      expect(resolveValue({ Ref: 'x', Other: 1 }, context())).toEqual({ Ref: 'x', Other: 1 });
    });
  });
});
