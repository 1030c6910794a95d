import { LambdaClient } from '@aws-sdk/client-lambda';
import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readConfig } from './config';
import { generateDeviceCertificate, GeneratorDeps } from './generate-certificate';
import { parseDeviceCertificateRequest } from './request';
import { toErrorResponse } from '../shared/http/error-response';
import { jsonResponse } from '../shared/http/responses';
import { cachedDataEndpoint } from '../shared/iot/data-endpoint';
import { createIotClient } from '../shared/iot/iot-client';
import { createKmsClient } from '../shared/kms/kms-ca-key';
import { createLogger } from '../shared/logging/logger';
import { parseJsonObjectBody } from '../shared/validation/json-body';
import { CaVault } from '../shared/vault/ca-vault';
import { lambdaVerifier, verifierArnsFromEnv } from '../shared/verifier/invoke-verifier';

/** POST /deviceCertificateGenerate: wiring only; the work is in generate-certificate.ts. */
const config = readConfig();
const iot = createIotClient();
const deps: Omit<GeneratorDeps, 'logger'> = {
  iot,
  vault: new CaVault(new S3Client({}), { bucket: config.vaultBucket, prefix: config.vaultPrefix, kmsKeyArn: config.vaultKeyArn }),
  kms: createKmsClient(),
  caKeyStorage: config.caKeyStorage,
  registrarId: config.registrarId,
  verify: lambdaVerifier(new LambdaClient({}), verifierArnsFromEnv()),
  dataEndpoint: cachedDataEndpoint(iot),
};
const rootLogger = createLogger({ function: 'device-certificate-generator' });

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const logger = rootLogger.child({ requestId: context?.awsRequestId });
  try {
    const body = parseJsonObjectBody(event.body, event.isBase64Encoded);
    const request = await parseDeviceCertificateRequest(body, config);
    return jsonResponse(200, await generateDeviceCertificate({ ...deps, logger }, request));
  } catch (error) {
    return toErrorResponse(error, logger);
  }
}
