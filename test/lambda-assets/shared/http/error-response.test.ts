import {
  CertificateConflictException,
  CertificateValidationException,
  ConflictingResourceUpdateException,
  InvalidRequestException,
  LimitExceededException,
  ResourceAlreadyExistsException,
  ServiceUnavailableException,
  ThrottlingException,
} from '@aws-sdk/client-iot';
import { TooManyRequestsException } from '@aws-sdk/client-lambda';
import { badRequest, ClientError, invalidField } from '../../../../lambda-assets/shared/http/client-error';
import { toErrorResponse } from '../../../../lambda-assets/shared/http/error-response';
import { jsonResponse } from '../../../../lambda-assets/shared/http/responses';
import { createLogger } from '../../../../lambda-assets/shared/logging/logger';

const meta = { $metadata: { httpStatusCode: 400 } };

function respond(error: unknown) {
  const lines: string[] = [];
  const response = toErrorResponse(error, createLogger({ test: true }, (line) => lines.push(line)));
  return {
    response,
    body: JSON.parse(response.body) as { error: { code: string; message: string } },
    logs: lines.map((line) => JSON.parse(line) as Record<string, unknown>),
  };
}

describe('toErrorResponse', () => {
  test('a ClientError keeps its status, code and message', () => {
    expect(respond(new ClientError(409, 'CaAlreadyRegistered', 'caCertificatePem: already registered')).response).toEqual({
      statusCode: 409,
      headers: { 'content-type': 'application/json', 'cache-control': 'no-store' },
      body: JSON.stringify({ error: { code: 'CaAlreadyRegistered', message: 'caCertificatePem: already registered' } }),
    });
    expect(respond(invalidField('validityDays', 'must be an integer')).body).toEqual({ error: { code: 'InvalidField', message: 'validityDays: must be an integer' } });
    expect(respond(badRequest('MalformedJson', 'body: is not valid JSON')).response.statusCode).toBe(400);
  });

  test.each<[string, Error, number, string]>([
    ['InvalidRequestException', new InvalidRequestException({ message: 'bad CA', ...meta }), 400, 'InvalidRequest'],
    ['CertificateValidationException', new CertificateValidationException({ message: 'bad cert', ...meta }), 400, 'CertificateValidation'],
    ['CertificateConflictException', new CertificateConflictException({ message: 'conflict', ...meta }), 400, 'CertificateConflict'],
    ['ResourceAlreadyExistsException', new ResourceAlreadyExistsException({ message: 'exists', ...meta }), 409, 'ResourceAlreadyExists'],
    ['LimitExceededException', new LimitExceededException({ message: 'limit', ...meta }), 409, 'LimitExceeded'],
    ['ConflictingResourceUpdateException', new ConflictingResourceUpdateException({ message: 'busy', ...meta }), 409, 'ConflictingResourceUpdate'],
    ['ThrottlingException', new ThrottlingException({ message: 'Rate exceeded', ...meta }), 429, 'Throttled'],
    ['TooManyRequestsException', new TooManyRequestsException({ message: 'Rate exceeded', ...meta }), 429, 'Throttled'],
    ['ServiceUnavailableException', new ServiceUnavailableException({ message: 'down', ...meta }), 503, 'ServiceUnavailable'],
  ])('%s -> %i %s', (_name, error, statusCode, code) => {
    const { response, body, logs } = respond(error);
    expect(response.statusCode).toBe(statusCode);
    expect(body.error.code).toBe(code);
    expect(logs).toEqual([expect.objectContaining({ level: 'WARN', errorName: error.name, statusCode })]);
  });

  test.each<[string, unknown]>([
    ['an Error', new TypeError("Cannot read properties of undefined (reading 'certificateArn')")],
    ['a string', 'boom'],
    ['undefined', undefined],
  ])('%s -> 500 InternalError with no detail, no stack; the log has name and message but no stack', (_name, error) => {
    if (error instanceof Error) error.stack = `${error.message}\n    at storeAndRegister (/var/task/index.js:10:20)`;
    const { response, body, logs } = respond(error);
    expect(response.statusCode).toBe(500);
    expect(body).toEqual({ error: { code: 'InternalError', message: 'The request failed on our side; it changed nothing and may be retried.' } });
    expect(response.body).not.toMatch(/certificateArn|\/var\/task|at storeAndRegister/);
    expect(logs).toHaveLength(1);
    expect(logs[0]).toMatchObject({ level: 'ERROR', message: 'request failed' });
    expect(JSON.stringify(logs)).not.toMatch(/\/var\/task/);
  });
});

describe('jsonResponse', () => {
  test('JSON with no-store caching', () => {
    expect(jsonResponse(201, { a: 1 })).toEqual({ statusCode: 201, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: '{"a":1}' });
  });
});
