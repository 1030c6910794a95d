import { endpointVariableFor, parseFunctionReference } from '../../../../local/runner/lambda';

describe('parseFunctionReference', () => {
  test.each([
    ['my-function', { name: 'my-function' }],
    ['my_function:$LATEST', { name: 'my_function', qualifier: '$LATEST' }],
    ['123456789012:function:fn', { accountId: '123456789012', name: 'fn' }],
    ['arn:aws:lambda:eu-west-1:123456789012:function:fn:prod', { region: 'eu-west-1', accountId: '123456789012', name: 'fn', qualifier: 'prod' }],
  ])('%s', (reference, expected) => {
    expect(parseFunctionReference(reference)).toMatchObject(expected);
  });

  test.each(['', 'has space', 'arn:aws:s3:::bucket', 'a/b'])('%j is no function reference', (reference) => {
    expect(parseFunctionReference(reference)).toBeUndefined();
  });
});

describe('endpointVariableFor', () => {
  test('names the AWS SDK\'s service-specific endpoint variable', () => {
    expect(endpointVariableFor('IOT')).toBe('AWS_ENDPOINT_URL_IOT');
    expect(endpointVariableFor('iot-data plane')).toBe('AWS_ENDPOINT_URL_IOT_DATA_PLANE');
  });
});
