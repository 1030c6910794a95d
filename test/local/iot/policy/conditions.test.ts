import { client, connection, policy, topic, unattachedConnection } from './support';
import { authorize, IotPolicyContext } from '../../../../local/iot/policy';

/** Is Connect allowed by one Allow statement carrying this Condition block. */
function allowedWith(condition: object, context: IotPolicyContext = connection()): boolean {
  return authorize([policy({ Effect: 'Allow', Action: 'iot:Connect', Resource: '*', Condition: condition })],
    'iot:Connect', client(context.clientId), context).allowed;
}

/** Is Connect denied by a Deny statement carrying this Condition block, next to an Allow of everything. */
function deniedWith(condition: object, context: IotPolicyContext = connection()): boolean {
  return !authorize([
    policy({ Effect: 'Allow', Action: 'iot:*', Resource: '*' }),
    policy({ Effect: 'Deny', Action: 'iot:Connect', Resource: '*', Condition: condition }),
  ], 'iot:Connect', client(context.clientId), context).allowed;
}

describe('condition operators', () => {
  test('Bool on iot:Connection.Thing.IsAttached, written as a string, a list or a JSON boolean', () => {
    expect(allowedWith({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } })).toBe(true);
    expect(allowedWith({ Bool: { 'iot:Connection.Thing.IsAttached': ['true'] } })).toBe(true);
    expect(allowedWith({ Bool: { 'iot:Connection.Thing.IsAttached': true } })).toBe(true);
    expect(allowedWith({ Bool: { 'iot:Connection.Thing.IsAttached': 'true' } }, unattachedConnection('x'))).toBe(false);
    expect(allowedWith({ Bool: { 'iot:Connection.Thing.IsAttached': 'false' } }, unattachedConnection('x'))).toBe(true);
  });

  test('StringEquals and StringNotEquals compare exactly and case-sensitively; a list means any of', () => {
    expect(allowedWith({ StringEquals: { 'iot:ClientId': 'sensor-1' } })).toBe(true);
    expect(allowedWith({ StringEquals: { 'iot:ClientId': 'Sensor-1' } })).toBe(false);
    expect(allowedWith({ StringEquals: { 'iot:ClientId': ['a', 'sensor-1'] } })).toBe(true);
    expect(allowedWith({ StringEquals: { 'iot:ClientId': 'sensor-*' } })).toBe(false);
    expect(allowedWith({ StringNotEquals: { 'iot:ClientId': 'sensor-1' } })).toBe(false);
    expect(allowedWith({ StringNotEquals: { 'iot:ClientId': ['a', 'b'] } })).toBe(true);
    expect(allowedWith({ StringNotEquals: { 'iot:ClientId': ['a', 'sensor-1'] } })).toBe(false);
  });

  test('StringEqualsIgnoreCase and StringNotEqualsIgnoreCase ignore case', () => {
    expect(allowedWith({ StringEqualsIgnoreCase: { 'iot:ClientId': 'SENSOR-1' } })).toBe(true);
    expect(allowedWith({ StringNotEqualsIgnoreCase: { 'iot:ClientId': 'SENSOR-1' } })).toBe(false);
  });

  test('StringLike and StringNotLike take * and ?', () => {
    expect(allowedWith({ StringLike: { 'iot:ClientId': 'sensor-*' } })).toBe(true);
    expect(allowedWith({ StringLike: { 'iot:ClientId': 'sensor-?' } })).toBe(true);
    expect(allowedWith({ StringLike: { 'iot:ClientId': 'sensor-??' } })).toBe(false);
    expect(allowedWith({ StringLike: { 'iot:ClientId': 'SENSOR-*' } })).toBe(false);
    expect(allowedWith({ StringNotLike: { 'iot:ClientId': 'admin-*' } })).toBe(true);
    expect(allowedWith({ StringNotLike: { 'iot:ClientId': 'sensor-*' } })).toBe(false);
  });

  test('policy variables in condition values: the client id must equal the certificate\'s common name', () => {
    const condition = { StringEquals: { 'iot:ClientId': '${iot:Certificate.Subject.CommonName}' } };
    expect(allowedWith(condition, connection({ certificateSubject: { CommonName: 'sensor-1' } }))).toBe(true);
    expect(allowedWith(condition, connection({ certificateSubject: { CommonName: 'sensor-2' } }))).toBe(false);
  });

  test('a condition value whose variable has no value equals nothing: StringEquals fails, StringNotEquals holds', () => {
    // The IAM guide's example: a Deny with StringNotEquals against a missing variable denies.
    const noCommonName = connection({ certificateSubject: {} });
    expect(allowedWith({ StringEquals: { 'iot:ClientId': '${iot:Certificate.Subject.CommonName}' } }, noCommonName)).toBe(false);
    expect(deniedWith({ StringNotEquals: { 'iot:ClientId': '${iot:Certificate.Subject.CommonName}' } }, noCommonName)).toBe(true);
    expect(deniedWith({ StringNotEquals: { 'iot:ClientId': '${iot:Certificate.Subject.CommonName}' } },
      connection({ certificateSubject: { CommonName: 'sensor-1' } }))).toBe(false);
  });

  test('ArnEquals and ArnLike match ARNs part by part; ArnNotLike negates', () => {
    const arnKey = 'iot:Connection.Thing.Attributes[owner]';
    const device = connection({ thingAttributes: { owner: 'arn:aws:iam::123456789012:user/alice' } });
    expect(allowedWith({ ArnEquals: { [arnKey]: 'arn:aws:iam::123456789012:user/alice' } }, device)).toBe(true);
    expect(allowedWith({ ArnLike: { [arnKey]: 'arn:aws:iam::*:user/*' } }, device)).toBe(true);
    expect(allowedWith({ ArnLike: { [arnKey]: 'arn:aws:iam::*:user/bob' } }, device)).toBe(false);
    // Each part is checked separately: a "*" ending the account part does not reach into the resource part.
    expect(allowedWith({ ArnLike: { [arnKey]: 'arn:aws:iam::*' } }, device)).toBe(true);
    expect(allowedWith({ ArnLike: { [arnKey]: 'arn:aws:iam::1*:alice' } }, device)).toBe(false);
    expect(allowedWith({ ArnNotLike: { [arnKey]: 'arn:aws:iam::*:role/*' } }, device)).toBe(true);
  });

  test('numeric operators compare thing attributes as numbers', () => {
    const device = connection({ thingAttributes: { firmware: '12' } });
    const key = 'iot:Connection.Thing.Attributes[firmware]';
    expect(allowedWith({ NumericGreaterThanEquals: { [key]: '10' } }, device)).toBe(true);
    expect(allowedWith({ NumericLessThan: { [key]: 10 } }, device)).toBe(false);
    expect(allowedWith({ NumericEquals: { [key]: '12.0' } }, device)).toBe(true);
    expect(allowedWith({ NumericNotEquals: { [key]: '12' } }, device)).toBe(false);
    expect(allowedWith({ NumericGreaterThan: { [key]: 'ten' } }, device)).toBe(false);
    expect(allowedWith({ NumericLessThanEquals: { [key]: '12' } }, device)).toBe(true);
    expect(allowedWith({ NumericGreaterThan: { [key]: '11' } }, device)).toBe(true);
  });

  test('thing attributes and type as condition keys (the developer guide\'s thing policy example)', () => {
    const condition = {
      StringEquals: { 'iot:Connection.Thing.Attributes[attributeName]': 'attributeValue', 'iot:Connection.Thing.ThingTypeName': 'Thing_Type_Name' },
      Bool: { 'iot:Connection.Thing.IsAttached': 'true' },
    };
    const matching = connection({ thingTypeName: 'Thing_Type_Name', thingAttributes: { attributeName: 'attributeValue' } });
    expect(allowedWith(condition, matching)).toBe(true);
    // Every operator and every key of a Condition block must hold.
    expect(allowedWith(condition, connection({ thingTypeName: 'Other', thingAttributes: { attributeName: 'attributeValue' } }))).toBe(false);
    expect(allowedWith(condition, connection({ thingTypeName: 'Thing_Type_Name' }))).toBe(false);
  });
});

describe('absent keys, IfExists, Null and set qualifiers', () => {
  const typeKey = 'iot:Connection.Thing.ThingTypeName';
  const noType = connection();
  const typed = connection({ thingTypeName: 'Gateway' });

  test('an absent key fails a positive operator and satisfies a negated one', () => {
    expect(allowedWith({ StringEquals: { [typeKey]: 'Gateway' } }, noType)).toBe(false);
    expect(allowedWith({ StringLike: { [typeKey]: '*' } }, noType)).toBe(false);
    expect(allowedWith({ StringNotEquals: { [typeKey]: 'Gateway' } }, noType)).toBe(true);
    expect(allowedWith({ StringNotLike: { [typeKey]: 'G*' } }, noType)).toBe(true);
  });

  test('...IfExists holds when the key is absent and compares when it is present', () => {
    expect(allowedWith({ StringEqualsIfExists: { [typeKey]: 'Gateway' } }, noType)).toBe(true);
    expect(allowedWith({ StringEqualsIfExists: { [typeKey]: 'Gateway' } }, typed)).toBe(true);
    expect(allowedWith({ StringEqualsIfExists: { [typeKey]: 'Sensor' } }, typed)).toBe(false);
    expect(allowedWith({ BoolIfExists: { 'iot:Connection.Thing.IsAttached': 'true' } }, unattachedConnection('x'))).toBe(false);
  });

  test('Null tests whether the key is present', () => {
    expect(allowedWith({ Null: { [typeKey]: 'true' } }, noType)).toBe(true);
    expect(allowedWith({ Null: { [typeKey]: 'false' } }, noType)).toBe(false);
    expect(allowedWith({ Null: { [typeKey]: 'false' } }, typed)).toBe(true);
  });

  test('ForAnyValue is false and ForAllValues true over an absent key; both compare a present one', () => {
    expect(allowedWith({ 'ForAnyValue:StringEquals': { [typeKey]: 'Gateway' } }, noType)).toBe(false);
    expect(allowedWith({ 'ForAllValues:StringEquals': { [typeKey]: 'Gateway' } }, noType)).toBe(true);
    expect(allowedWith({ 'ForAnyValue:StringEquals': { [typeKey]: ['Sensor', 'Gateway'] } }, typed)).toBe(true);
    expect(allowedWith({ 'ForAllValues:StringLike': { [typeKey]: 'Sens*' } }, typed)).toBe(false);
    expect(allowedWith({ 'ForAllValues:StringNotEquals': { [typeKey]: 'Sensor' } }, typed)).toBe(true);
    expect(allowedWith({ 'ForAnyValue:StringEqualsIfExists': { [typeKey]: 'Gateway' } }, noType)).toBe(true);
  });
});

describe('operators this stand-in does not evaluate fail closed', () => {
  // Date, IP address and binary operators are valid IAM grammar but compare keys
  // (aws:CurrentTime, aws:SourceIp) the local gateway does not supply.
  test('an Allow conditioned on one grants nothing', () => {
    expect(allowedWith({ IpAddress: { 'aws:SourceIp': '0.0.0.0/0' } })).toBe(false);
    expect(allowedWith({ DateLessThan: { 'aws:CurrentTime': '2999-01-01T00:00:00Z' } })).toBe(false);
  });

  test('a Deny conditioned on one still denies', () => {
    expect(deniedWith({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })).toBe(true);
  });

  test('the other conditions of a Deny still decide whether it applies', () => {
    expect(deniedWith({ NotIpAddress: { 'aws:SourceIp': '10.0.0.0/8' }, StringEquals: { 'iot:ClientId': 'someone-else' } })).toBe(false);
  });
});

describe('conditions on publish', () => {
  test('a Deny on retained publishing for unattached clients', () => {
    const documents = [
      policy({ Effect: 'Allow', Action: ['iot:Publish', 'iot:RetainPublish'], Resource: '*' }),
      policy({ Effect: 'Deny', Action: 'iot:RetainPublish', Resource: '*', Condition: { Bool: { 'iot:Connection.Thing.IsAttached': 'false' } } }),
    ];
    expect(authorize(documents, 'iot:RetainPublish', topic('state'), connection()).allowed).toBe(true);
    expect(authorize(documents, 'iot:RetainPublish', topic('state'), unattachedConnection('guest')).allowed).toBe(false);
    expect(authorize(documents, 'iot:Publish', topic('state'), unattachedConnection('guest')).allowed).toBe(true);
  });
});
