import { client, connection } from './support';
import { authorize, MAX_POLICY_DOCUMENT_CHARACTERS, PolicyDocumentError, validatePolicyDocument } from '../../../../local/iot/policy';

const statement = { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' };
const documentWith = (...statements: object[]) => JSON.stringify({ Version: '2012-10-17', Statement: statements });

function rejection(text: string): string {
  try {
    validatePolicyDocument(text);
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyDocumentError);
    return (error as Error).message;
  }
  throw new Error(`expected ${text} to be rejected`);
}

describe('validatePolicyDocument accepts what CreatePolicy accepts', () => {
  test.each([
    ['a statement list', documentWith(statement)],
    ['a single statement object', JSON.stringify({ Version: '2012-10-17', Statement: statement })],
    ['no Version (the legacy language)', JSON.stringify({ Statement: [statement] })],
    ['Sid, Id, NotAction, NotResource and conditions', JSON.stringify({
      Version: '2012-10-17',
      Id: 'device-policy',
      Statement: [
        { Sid: 'A', Effect: 'Deny', NotAction: ['iot:Connect'], NotResource: 'arn:aws:iot:eu-west-1:123456789012:topic/public/*' },
        { Sid: 'B', ...statement, Condition: { 'Bool': { 'iot:Connection.Thing.IsAttached': true }, 'ForAnyValue:StringLikeIfExists': { 'iot:ClientId': ['a*', 'b*'] } } },
      ],
    })],
    ['exactly the size limit, whitespace not counted', `{"Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:${'x'.repeat(
      MAX_POLICY_DOCUMENT_CHARACTERS - '{"Statement":[{"Effect":"Allow","Action":"iot:Connect","Resource":"arn:"}]}'.length)}"}]}${' \n'.repeat(500)}`],
  ])('%s', (_name, text) => {
    expect(() => validatePolicyDocument(text)).not.toThrow();
  });
});

describe('validatePolicyDocument refuses, saying what is wrong', () => {
  test.each([
    ['empty text', '  \n', /empty/],
    ['text that is not JSON', '{"Statement": [', /not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    ['JSON null', 'null', /must be a JSON object/],
    ['no Statement', '{"Version": "2012-10-17"}', /has no Statement/],
    ['an empty Statement list', documentWith(), /at least one statement/],
    ['an unknown Version', JSON.stringify({ Version: '2020-01-01', Statement: [statement] }), /Version must be "2012-10-17"/],
    ['an unknown top-level element', JSON.stringify({ Version: '2012-10-17', Statement: [statement], Extra: 1 }), /unknown element "Extra"/],
    ['a statement that is not an object', documentWith('iot:Connect' as unknown as object), /statement 1 must be a JSON object/],
    ['no Effect', documentWith({ Action: 'iot:Connect', Resource: '*' }), /statement 1: Effect must be "Allow" or "Deny"/],
    ['an Effect in the wrong case', documentWith({ ...statement, Effect: 'allow' }), /Effect must be "Allow" or "Deny" \(case-sensitive\), not "allow"/],
    ['no Action', documentWith({ Effect: 'Allow', Resource: '*' }), /statement 1 has no Action \(or NotAction\)/],
    ['both Action and NotAction', documentWith({ ...statement, NotAction: 'iot:Publish' }), /both Action and NotAction/],
    ['an empty Action list', documentWith({ ...statement, Action: [] }), /Action must not be an empty list/],
    ['an action without a service prefix', documentWith({ ...statement, Action: 'Connect' }), /"Connect" is not an action/],
    ['a non-string action', documentWith({ ...statement, Action: [1] }), /Action must be a non-empty string/],
    ['no Resource', documentWith({ Effect: 'Allow', Action: 'iot:Connect' }), /statement 1 has no Resource \(or NotResource\)/],
    ['both Resource and NotResource', documentWith({ ...statement, NotResource: '*' }), /both Resource and NotResource/],
    ['a resource that is not an ARN', documentWith({ ...statement, Resource: 'topic/things/x' }), /"topic\/things\/x" must be "\*" or an ARN/],
    ['a Principal', documentWith({ ...statement, Principal: '*' }), /cannot name a Principal/],
    ['an unknown statement element', documentWith({ ...statement, Resources: '*' }), /statement 1 has an unknown element "Resources"/],
    ['a non-string Sid', documentWith({ ...statement, Sid: 3 }), /Sid must be a string/],
    ['duplicate Sids', documentWith({ ...statement, Sid: 'S' }, { ...statement, Sid: 'S' }), /Sid "S" appears twice/],
    ['an unknown condition operator', documentWith({ ...statement, Condition: { StringEqualz: { 'iot:ClientId': 'a' } } }), /"StringEqualz" is not a condition operator/],
    ['Null with IfExists', documentWith({ ...statement, Condition: { NullIfExists: { 'iot:ClientId': 'true' } } }), /not a condition operator/],
    ['a condition that is not an object', documentWith({ ...statement, Condition: 'Bool' }), /Condition must be an object/],
    ['an operator without keys', documentWith({ ...statement, Condition: { Bool: {} } }), /must map condition keys to values/],
    ['a condition value that is an object', documentWith({ ...statement, Condition: { Bool: { 'iot:ClientId': { a: 1 } } } }), /must be a string, number, boolean/],
    ['an empty condition value list', documentWith({ ...statement, Condition: { Bool: { 'iot:ClientId': [] } } }), /must be a string, number, boolean/],
  ])('%s', (_name, text, message) => {
    expect(rejection(text)).toMatch(message);
  });

  test(`a document over ${MAX_POLICY_DOCUMENT_CHARACTERS} characters excluding whitespace`, () => {
    const text = documentWith(...Array.from({ length: 40 }, (_, i) => ({ ...statement, Sid: `S${i}` })));
    expect(text.replace(/\s/g, '').length).toBeGreaterThan(MAX_POLICY_DOCUMENT_CHARACTERS);
    expect(rejection(text)).toMatch(new RegExp(`has ${text.length} characters excluding whitespace; AWS IoT allows at most 2048`));
  });

  test('a non-string argument', () => {
    expect(rejection(42 as unknown as string)).toMatch(/must be a string of JSON/);
  });
});

describe('authorize reads documents with the same rules', () => {
  test('a malformed document makes every decision a deny that names the problem', () => {
    const decision = authorize([documentWith({ Effect: 'Allow', Action: 'iot:Connect' })], 'iot:Connect', client('sensor-1'), connection());
    expect(decision).toEqual({ allowed: false, reason: 'denied: policy #1 is malformed (statement 1 has no Resource (or NotResource))' });
  });

  test('it stays correct when the same text is evaluated again (parsed documents are cached)', () => {
    const text = documentWith(statement);
    for (let i = 0; i < 3; i += 1) expect(authorize([text], 'iot:Connect', client('c'), connection()).allowed).toBe(true);
  });
});
