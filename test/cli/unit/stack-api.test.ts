import { apiBaseUrl, regionOfApiUrl } from '../../../cli/src/aws/stack-api';
import { CliError, EXIT } from '../../../cli/src/exit-codes';

test.each([
  ['https://abc123.execute-api.eu-west-1.amazonaws.com/prod/', 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
  ['https://abc123.execute-api.eu-west-1.amazonaws.com/prod/caRegister', 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
  ['https://abc123.execute-api.eu-west-1.amazonaws.com/prod/deviceCertificateGenerate', 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod'],
  ['http://127.0.0.1:41065/prod/caRegister', 'http://127.0.0.1:41065/prod'],
])('the API base of %s', (given, base) => {
  expect(apiBaseUrl(given)).toBe(base);
});

test('the signing Region is the one in an execute-api host, else unknown', () => {
  expect(regionOfApiUrl('https://abc123.execute-api.ap-southeast-2.amazonaws.com/prod')).toBe('ap-southeast-2');
  expect(regionOfApiUrl('https://abc123.execute-api.cn-north-1.amazonaws.com.cn/prod')).toBe('cn-north-1');
  expect(regionOfApiUrl('http://127.0.0.1:41065/prod')).toBeUndefined();
});

test.each(['not a url', 'ftp://example.com/prod'])('--api %s is a usage error', (given) => {
  let error: unknown;
  try {
    apiBaseUrl(given);
  } catch (caught) {
    error = caught;
  }
  expect(error).toBeInstanceOf(CliError);
  expect((error as CliError).exitCode).toBe(EXIT.USAGE);
  expect((error as CliError).message).toContain('--api');
});
