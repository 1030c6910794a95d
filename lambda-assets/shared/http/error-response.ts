import type { APIGatewayProxyResult } from 'aws-lambda';
import { ClientError } from './client-error';
import { errorResponse } from './responses';
import { isAwsError } from '../iot/aws-errors';
import { describeError, Logger } from '../logging/logger';

/**
 * Maps any error to an API answer: the caller's mistakes and AWS's refusals
 * become 4xx with a message, our own faults a 500 with no detail (the log has it).
 */
export function toErrorResponse(error: unknown, logger: Logger): APIGatewayProxyResult {
  if (error instanceof ClientError) {
    logger.info('request refused', { statusCode: error.statusCode, code: error.code, reason: error.message });
    return errorResponse(error.statusCode, error.code, error.message, error.details);
  }
  const mapped = mapAwsError(error);
  if (mapped) {
    logger.warn('AWS refused the request', { statusCode: mapped.statusCode, ...describeError(error) });
    return errorResponse(mapped.statusCode, mapped.code, mapped.message);
  }
  logger.error('request failed', describeError(error));
  return errorResponse(500, 'InternalError', 'The request failed on our side; it changed nothing and may be retried.');
}

function mapAwsError(error: unknown): { statusCode: number; code: string; message: string } | undefined {
  if (!(error instanceof Error)) return undefined;
  if (isAwsError(error, 'InvalidRequestException', 'CertificateValidationException', 'CertificateConflictException')) {
    return { statusCode: 400, code: error.name.replace(/Exception$/, ''), message: error.message };
  }
  if (isAwsError(error, 'ResourceAlreadyExistsException', 'LimitExceededException', 'ConflictingResourceUpdateException')) {
    return { statusCode: 409, code: error.name.replace(/Exception$/, ''), message: error.message };
  }
  if (isAwsError(error, 'ThrottlingException', 'TooManyRequestsException')) {
    return { statusCode: 429, code: 'Throttled', message: 'AWS IoT is throttling requests; retry with back-off.' };
  }
  if (isAwsError(error, 'ServiceUnavailableException')) {
    return { statusCode: 503, code: 'ServiceUnavailable', message: 'AWS IoT is unavailable; retry later.' };
  }
  return undefined;
}
