import { S3Client } from '@aws-sdk/client-s3';
import type { APIGatewayProxyEvent, APIGatewayProxyResult, Context } from 'aws-lambda';
import { readConfig } from './config';
import { registerGeneratedCa, registerImportedCa, RegistratorDeps } from './register-ca';
import { parseRegisterCaRequest } from './request';
import { toErrorResponse } from '../shared/http/error-response';
import { jsonResponse } from '../shared/http/responses';
import { createIotClient } from '../shared/iot/iot-client';
import { createKmsClient, KmsCaKeys } from '../shared/kms/kms-ca-key';
import { createLogger } from '../shared/logging/logger';
import { parseJsonObjectBody } from '../shared/validation/json-body';
import { CaVault } from '../shared/vault/ca-vault';

/** POST /caRegister: wiring only; the work is in register-ca.ts. */
const config = readConfig();
const deps: Omit<RegistratorDeps, 'logger'> = {
  iot: createIotClient(),
  vault: new CaVault(new S3Client({}), { bucket: config.vaultBucket, prefix: config.vaultPrefix, kmsKeyArn: config.vaultKeyArn }),
  registrarId: config.registrarId,
  registrationConfig: config.registrationConfig,
  // With caKeyStorage KMS, every generated CA's key is made, kept and used by AWS KMS.
  kmsCaKeys: config.kmsCaKeys && new KmsCaKeys(createKmsClient(), { ...config.kmsCaKeys, registrarId: config.registrarId }),
};
const rootLogger = createLogger({ function: 'ca-registrator' });

export async function handler(event: APIGatewayProxyEvent, context?: Context): Promise<APIGatewayProxyResult> {
  const logger = rootLogger.child({ requestId: context?.awsRequestId });
  try {
    const body = parseJsonObjectBody(event.body, event.isBase64Encoded);
    const request = parseRegisterCaRequest(body, config);
    const registered = request.kind === 'generate'
      ? await registerGeneratedCa({ ...deps, logger }, request)
      : await registerImportedCa({ ...deps, logger }, request);
    return jsonResponse(200, registered);
  } catch (error) {
    return toErrorResponse(error, logger);
  }
}
