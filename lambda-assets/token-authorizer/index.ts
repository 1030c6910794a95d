import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context } from 'aws-lambda';
import { authorize } from './authorize';
import { readConfig } from './config';
import { cachedTokenTable } from './token-source';
import { createLogger } from '../shared/logging/logger';

/** TOKEN authorizer of the registration gateway's POST /register: wiring only; the work is in authorize.ts. */
const config = readConfig();
const secrets = new SecretsManagerClient({});
const tokens = cachedTokenTable(async () => {
  const { SecretString } = await secrets.send(new GetSecretValueCommand({ SecretId: config.tokensSecretArn }));
  return SecretString;
}, config.cacheMilliseconds);
const rootLogger = createLogger({ function: 'token-authorizer' });

export async function handler(event: APIGatewayTokenAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> {
  const logger = rootLogger.child({ requestId: context?.awsRequestId, methodArn: event.methodArn });
  return authorize({ tokenIdentifier: config.tokenIdentifier, tokens, logger }, event);
}
