import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readConfig } from './config';
import { RegistrarDeps, registerDevice, RegistrationFailedError } from './register-device';
import { parseRegistrationRequest } from './request';
import { readTokenContext } from './token-context';
import { TokenLedger } from './token-ledger';
import { toErrorResponse } from '../shared/http/error-response';
import { errorResponse, jsonResponse } from '../shared/http/responses';
import { cachedDataEndpoint } from '../shared/iot/data-endpoint';
import { createIotClient } from '../shared/iot/iot-client';
import { createLogger } from '../shared/logging/logger';
import { parseJsonObjectBody } from '../shared/validation/json-body';

/** POST /register (behind the token authorizer): wiring only; the work is in register-device.ts. */
const config = readConfig();
const iot = createIotClient();
const deps: Omit<RegistrarDeps, 'logger'> = {
  iot,
  ledger: new TokenLedger(new S3Client({}), config.ledgerBucket, config.ledgerPrefix),
  dataEndpoint: cachedDataEndpoint(iot),
};
const rootLogger = createLogger({ function: 'device-registrar' });
/** A registration body is a name, a version and a few attributes: 16 KiB is generous. */
const MAX_BODY_BYTES = 16 * 1024;

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  let logger = rootLogger.child({ requestId: context?.awsRequestId });
  try {
    const token = readTokenContext(event);
    logger = logger.child({ tokenId: token.tokenId });
    const body = parseJsonObjectBody(event.body, event.isBase64Encoded, MAX_BODY_BYTES);
    const request = parseRegistrationRequest(body, config, token);
    // The answer carries the private key: it goes to the caller and nowhere else (never to a log).
    return jsonResponse(200, await registerDevice({ ...deps, logger }, token, request));
  } catch (error) {
    if (error instanceof RegistrationFailedError) {
      return errorResponse(error.statusCode, error.code, error.message, error.leftBehind.length > 0 ? { leftBehind: error.leftBehind } : undefined);
    }
    return toErrorResponse(error, logger);
  }
}
