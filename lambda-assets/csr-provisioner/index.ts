import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readConfig } from './config';
import { provisionDevice, ProvisionerDeps } from './provision-device';
import { parseProvisionRequest } from './request';
import { toErrorResponse } from '../shared/http/error-response';
import { jsonResponse } from '../shared/http/responses';
import { cachedDataEndpoint } from '../shared/iot/data-endpoint';
import { createIotClient } from '../shared/iot/iot-client';
import { createLogger } from '../shared/logging/logger';
import { parseJsonObjectBody } from '../shared/validation/json-body';

/** POST /provision/device (AWS_IAM-authorized): wiring only; the work is in provision-device.ts. */
const config = readConfig();
const iot = createIotClient();
const deps: Omit<ProvisionerDeps, 'logger'> = {
  iot,
  devicePolicyName: config.devicePolicyName,
  allowedThingTypes: config.allowedThingTypes,
  dataEndpoint: cachedDataEndpoint(iot),
};
const rootLogger = createLogger({ function: 'csr-provisioner' });

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const logger = rootLogger.child({ requestId: context?.awsRequestId, caller: event.requestContext?.identity?.userArn ?? undefined });
  try {
    const body = parseJsonObjectBody(event.body, event.isBase64Encoded);
    const request = await parseProvisionRequest(body);
    const outcome = await provisionDevice({ ...deps, logger }, request);
    return jsonResponse(outcome.statusCode, outcome.body);
  } catch (error) {
    return toErrorResponse(error, logger);
  }
}
