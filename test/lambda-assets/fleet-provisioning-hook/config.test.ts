import { functionNameOf, readConfig } from '../../../lambda-assets/fleet-provisioning-hook/config';
import { parameterProblem } from '../../../lambda-assets/fleet-provisioning-hook/parameter-rules';

describe('the hook\'s environment', () => {
  test('defaults: things named by SerialNumber, nothing required, no verifier, 3500 ms for one', () => {
    expect(readConfig({})).toEqual({ thingNameParameter: 'SerialNumber', requiredParameters: [], verifierArn: undefined, verifierTimeoutMs: 3500 });
    expect(readConfig({ THING_NAME_PARAMETER: '', REQUIRED_PARAMETERS: '', VERIFIER_ARN: '', VERIFIER_TIMEOUT_MS: '' }).verifierTimeoutMs).toBe(3500);
  });

  test('the construct\'s values are taken as they are', () => {
    expect(readConfig({
      THING_NAME_PARAMETER: 'DeviceId',
      REQUIRED_PARAMETERS: '["DeviceId","Model"]',
      VERIFIER_ARN: 'arn:aws:lambda:eu-west-1:123456789012:function:v',
      VERIFIER_TIMEOUT_MS: '4500',
    })).toEqual({
      thingNameParameter: 'DeviceId',
      requiredParameters: ['DeviceId', 'Model'],
      verifierArn: 'arn:aws:lambda:eu-west-1:123456789012:function:v',
      verifierTimeoutMs: 4500,
    });
  });

  test.each([
    [{ REQUIRED_PARAMETERS: 'DeviceId' }, "REQUIRED_PARAMETERS must be a JSON array of parameter names, got 'DeviceId'"],
    [{ REQUIRED_PARAMETERS: '{"DeviceId":true}' }, 'REQUIRED_PARAMETERS must be a JSON array of parameter names'],
    [{ REQUIRED_PARAMETERS: '["DeviceId", 1]' }, 'REQUIRED_PARAMETERS must be a JSON array of parameter names'],
    [{ REQUIRED_PARAMETERS: '[""]' }, 'REQUIRED_PARAMETERS must be a JSON array of parameter names'],
    [{ VERIFIER_TIMEOUT_MS: '5000' }, "VERIFIER_TIMEOUT_MS must be a whole number of milliseconds from 1 to 4500, got '5000'"],
    [{ VERIFIER_TIMEOUT_MS: '0' }, 'VERIFIER_TIMEOUT_MS must be a whole number of milliseconds from 1 to 4500'],
    [{ VERIFIER_TIMEOUT_MS: '3.5s' }, 'VERIFIER_TIMEOUT_MS must be a whole number of milliseconds from 1 to 4500'],
  ])('refused at load: %p', (env, message) => {
    expect(() => readConfig(env)).toThrow(message);
  });

  test.each([
    ['arn:aws:lambda:eu-west-1:123456789012:function:acme-verifier', 'acme-verifier'],
    ['arn:aws:lambda:eu-west-1:123456789012:function:acme-verifier:live', 'acme-verifier'],
    ['arn:aws-cn:lambda:cn-north-1:123456789012:function:v', 'v'],
    ['acme-verifier', 'acme-verifier'],
  ])('the verifier %s is called %s in logs', (arn, name) => {
    expect(functionNameOf(arn)).toBe(name);
  });
});

describe('parameterProblem', () => {
  const rules = { thingNameParameter: 'SerialNumber', requiredParameters: ['Model'] };

  test('a thing-name parameter the template gives a Default may be left out', () => {
    expect(parameterProblem({ Model: 'X1' }, rules)).toBeUndefined();
  });

  test('only the map\'s own values count: a parameter called constructor is missing when not sent', () => {
    expect(parameterProblem({ Model: 'X1' }, { ...rules, requiredParameters: ['constructor'] })).toMatch(/'constructor' is required/);
    expect(parameterProblem({ constructor: 'c' }, { thingNameParameter: 'toString', requiredParameters: ['constructor'] })).toBeUndefined();
  });
});
