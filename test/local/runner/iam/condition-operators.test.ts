import { conditionsHold, UnsupportedConditionOperatorError, type ConditionBlock } from '../../../../local/runner/iam/condition-operators';

/** Context keys are stored lower-cased, as the evaluator builds them. */
function context(entries: Record<string, string | string[]>): ReadonlyMap<string, readonly string[]> {
  return new Map(Object.entries(entries).map(([key, value]) => [key.toLowerCase(), typeof value === 'string' ? [value] : value]));
}

const ROLE = 'arn:aws:iam::123456789012:role/Activator';
const ctx = context({
  'aws:PrincipalArn': ROLE,
  'aws:SourceAccount': '123456789012',
  'iot:ThingName': 'Device-1',
  's3:max-keys': '50',
  'aws:SecureTransport': 'true',
  'aws:CurrentTime': '2026-03-01T12:00:00Z',
  'aws:TagKeys': ['env', 'team'],
});

function holds(condition: ConditionBlock): boolean {
  return conditionsHold(condition, ctx);
}

describe('condition operators, key present', () => {
  test.each<[string, ConditionBlock, boolean]>([
    ['StringEquals match', { StringEquals: { 'iot:ThingName': 'Device-1' } }, true],
    ['StringEquals is case-sensitive', { StringEquals: { 'iot:ThingName': 'device-1' } }, false],
    ['StringEquals: values OR together', { StringEquals: { 'iot:ThingName': ['x', 'Device-1'] } }, true],
    ['StringNotEquals: none of the values match', { StringNotEquals: { 'iot:ThingName': ['x', 'y'] } }, true],
    ['StringNotEquals: one value matches', { StringNotEquals: { 'iot:ThingName': ['x', 'Device-1'] } }, false],
    ['StringEqualsIgnoreCase', { StringEqualsIgnoreCase: { 'iot:ThingName': 'DEVICE-1' } }, true],
    ['StringLike with *', { StringLike: { 'iot:ThingName': 'Device-*' } }, true],
    ['StringLike with ?', { StringLike: { 'iot:ThingName': 'Device-?' } }, true],
    ['StringLike no match', { StringLike: { 'iot:ThingName': 'Other-*' } }, false],
    ['StringNotLike', { StringNotLike: { 'iot:ThingName': 'Other-*' } }, true],
    ['StringNotLike matching', { StringNotLike: { 'iot:ThingName': 'Dev*' } }, false],
    ['ArnEquals', { ArnEquals: { 'aws:PrincipalArn': ROLE } }, true],
    ['ArnLike', { ArnLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:role/Act*' } }, true],
    ['ArnNotEquals same ARN', { ArnNotEquals: { 'aws:PrincipalArn': ROLE } }, false],
    ['ArnNotEquals other ARN', { ArnNotEquals: { 'aws:PrincipalArn': 'arn:aws:iam::123456789012:role/Other' } }, true],
    ['ArnNotLike', { ArnNotLike: { 'aws:PrincipalArn': 'arn:aws:iam::*:user/*' } }, true],
    ['Bool true', { Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['Bool given as a JSON boolean', { Bool: { 'aws:SecureTransport': false } }, false],
    ['NumericEquals', { NumericEquals: { 's3:max-keys': '50' } }, true],
    ['NumericNotEquals', { NumericNotEquals: { 's3:max-keys': '50' } }, false],
    ['NumericLessThan', { NumericLessThan: { 's3:max-keys': '100' } }, true],
    ['NumericLessThanEquals', { NumericLessThanEquals: { 's3:max-keys': '50' } }, true],
    ['NumericGreaterThan', { NumericGreaterThan: { 's3:max-keys': '50' } }, false],
    ['NumericGreaterThanEquals', { NumericGreaterThanEquals: { 's3:max-keys': '50' } }, true],
    ['Numeric with a non-number', { NumericLessThan: { 'iot:ThingName': '5' } }, false],
    ['DateLessThan', { DateLessThan: { 'aws:CurrentTime': '2027-01-01T00:00:00Z' } }, true],
    ['DateGreaterThan, epoch seconds', { DateGreaterThan: { 'aws:CurrentTime': '1772366400' } }, false],
    ['condition key names are case-insensitive', { StringEquals: { 'IOT:thingname': 'Device-1' } }, true],
    ['operator names are matched case-insensitively', { stringequals: { 'iot:ThingName': 'Device-1' } }, true],
    ['several keys AND together', { StringEquals: { 'iot:ThingName': 'Device-1', 'aws:SourceAccount': '999' } }, false],
    ['several operators AND together', { StringEquals: { 'iot:ThingName': 'Device-1' }, Bool: { 'aws:SecureTransport': 'true' } }, true],
    ['IfExists behaves normally when present', { StringEqualsIfExists: { 'iot:ThingName': 'x' } }, false],
    ['Null false: key present', { Null: { 'iot:ThingName': 'false' } }, true],
    ['Null true: key present', { Null: { 'iot:ThingName': 'true' } }, false],
  ])('%s', (_title, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });
});

describe('condition operators, key missing', () => {
  test.each<[string, ConditionBlock, boolean]>([
    ['StringEquals', { StringEquals: { 'aws:SourceArn': 'x' } }, false],
    ['StringLike', { StringLike: { 'aws:SourceArn': '*' } }, false],
    ['ArnEquals', { ArnEquals: { 'aws:SourceArn': '*' } }, false],
    ['Bool', { Bool: { 'aws:MultiFactorAuthPresent': 'false' } }, false],
    ['NumericLessThan', { NumericLessThan: { 'aws:MultiFactorAuthAge': '3600' } }, false],
    ['StringNotEquals (negated: true, as in AWS)', { StringNotEquals: { 'aws:SourceArn': 'x' } }, true],
    ['StringNotLike', { StringNotLike: { 'aws:SourceArn': 'x*' } }, true],
    ['ArnNotEquals', { ArnNotEquals: { 'aws:SourceArn': 'arn:aws:iam::1:role/x' } }, true],
    ['StringEqualsIfExists', { StringEqualsIfExists: { 'aws:SourceArn': 'x' } }, true],
    ['ArnLikeIfExists', { ArnLikeIfExists: { 'aws:SourceArn': 'arn:aws:iot:*:*:rule/*' } }, true],
    ['BoolIfExists', { BoolIfExists: { 'aws:MultiFactorAuthPresent': 'true' } }, true],
    ['NumericLessThanIfExists', { NumericLessThanIfExists: { 'aws:MultiFactorAuthAge': '1' } }, true],
    ['Null true', { Null: { 'aws:SourceArn': 'true' } }, true],
    ['Null false', { Null: { 'aws:SourceArn': 'false' } }, false],
    ['ForAnyValue:StringEquals', { 'ForAnyValue:StringEquals': { 'aws:TagKeys2': 'env' } }, false],
    ['ForAllValues:StringEquals (vacuously true)', { 'ForAllValues:StringEquals': { 'aws:TagKeys2': 'env' } }, true],
  ])('%s', (_title, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });
});

describe('set operators on a multi-valued key (aws:TagKeys = env, team)', () => {
  test.each<[string, ConditionBlock, boolean]>([
    ['ForAnyValue:StringEquals, one in the list', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['env', 'cost'] } }, true],
    ['ForAnyValue:StringEquals, none in the list', { 'ForAnyValue:StringEquals': { 'aws:TagKeys': ['cost'] } }, false],
    ['ForAllValues:StringEquals, all in the list', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env', 'team', 'cost'] } }, true],
    ['ForAllValues:StringEquals, one outside the list', { 'ForAllValues:StringEquals': { 'aws:TagKeys': ['env'] } }, false],
    ['ForAnyValue:StringLike', { 'ForAnyValue:StringLike': { 'aws:TagKeys': 'te*' } }, true],
    ['ForAllValues:StringNotEquals, one is excluded', { 'ForAllValues:StringNotEquals': { 'aws:TagKeys': 'env' } }, false],
    ['ForAnyValue:StringNotEquals, one is not excluded', { 'ForAnyValue:StringNotEquals': { 'aws:TagKeys': 'env' } }, true],
    ['ForAnyValue with IfExists', { 'ForAnyValue:StringEqualsIfExists': { 'aws:TagKeys': 'env' } }, true],
    ['plain StringEquals: any of the values', { StringEquals: { 'aws:TagKeys': 'team' } }, true],
    ['plain StringNotEquals: none of the values', { StringNotEquals: { 'aws:TagKeys': 'team' } }, false],
  ])('%s', (_title, condition, expected) => {
    expect(holds(condition)).toBe(expected);
  });
});

test('no Condition block holds', () => {
  expect(conditionsHold(undefined, ctx)).toBe(true);
});

test('an operator the local IAM does not know fails loudly instead of guessing', () => {
  expect(() => holds({ IpAddress: { 'aws:SourceIp': '10.0.0.0/8' } })).toThrow(UnsupportedConditionOperatorError);
  expect(() => holds({ 'ForSomeValues:StringEquals': { 'aws:TagKeys': 'x' } })).toThrow('Unsupported IAM condition operator');
});
