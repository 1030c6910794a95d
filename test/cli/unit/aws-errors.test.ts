import { IoTServiceException } from '@aws-sdk/client-iot';
import { explainAwsError } from '../../../cli/src/aws/aws-errors';
import { CliError, EXIT } from '../../../cli/src/exit-codes';

function serviceError(name: string, status: number, fault: 'client' | 'server'): IoTServiceException {
  return new IoTServiceException({ name, message: `${name} says no`, $fault: fault, $metadata: { httpStatusCode: status } });
}

test('a 4xx from AWS IoT is a refusal (exit 5) with what to do', () => {
  const error = explainAwsError(serviceError('CertificateConflictException', 409, 'client'), 'RegisterCACertificate');
  expect(error.exitCode).toBe(EXIT.REFUSED);
  expect(error.message).toBe('AWS IoT refused RegisterCACertificate: CertificateConflictException: CertificateConflictException says no');
  expect(error.hint).toContain('--mode SNI_ONLY');
});

test('refused credentials are a configuration problem (exit 4)', () => {
  const error = explainAwsError(serviceError('UnrecognizedClientException', 403, 'client'), 'ListCACertificates');
  expect(error.exitCode).toBe(EXIT.AWS_CONFIG);
  expect(error.hint).toContain('--profile');
});

test('an endpoint that does not answer is a configuration problem naming it (exit 4)', () => {
  const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:9'), { code: 'ECONNREFUSED' });
  const error = explainAwsError(Object.assign(new Error('fetch failed'), { cause: refused }), 'ListCACertificates', 'http://127.0.0.1:9');
  expect(error.exitCode).toBe(EXIT.AWS_CONFIG);
  expect(error.message).toBe('ListCACertificates: cannot reach http://127.0.0.1:9 (ECONNREFUSED)');
});

test('a server fault is a failure to retry (exit 1), and an explained error passes through', () => {
  expect(explainAwsError(serviceError('InternalFailureException', 500, 'server'), 'DescribeEndpoint').exitCode).toBe(EXIT.FAILURE);
  const explained = new CliError('no AWS credentials were found', EXIT.AWS_CONFIG);
  expect(explainAwsError(Object.assign(new Error('wrapped'), { cause: explained }), 'GetRegistrationCode')).toBe(explained);
});
