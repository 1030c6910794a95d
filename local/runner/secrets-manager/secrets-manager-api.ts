/**
 * The Secrets Manager API over HTTP for SDK clients (`AWS_ENDPOINT_URL_SECRETS_MANAGER`): awsJson1_1, the operation
 * named by `X-Amz-Target: secretsmanager.<Op>`, every request SigV4-signed for service `secretsmanager`.
 */
import { SecretsManagerError } from './errors';
import type { LocalSecretsManager } from './local-secrets-manager';
import { SECRETS_MANAGER_OPERATIONS } from './secrets-manager-operations';
import { startAwsJsonApi } from '../http/aws-json-api';
import { type ServedLocally } from '../http/serve-locally';
import type { AccessControl } from '../iam/types';

export interface SecretsManagerApiOptions {
  readonly secrets: LocalSecretsManager;
  readonly accessControl: AccessControl;
  /** Default 0: any free port. */
  readonly port?: number;
}

export async function startSecretsManagerApi(options: SecretsManagerApiOptions): Promise<ServedLocally> {
  return startAwsJsonApi({
    serviceName: 'Secrets Manager',
    signingName: 'secretsmanager',
    targetPrefix: 'secretsmanager.',
    operations: Object.fromEntries(Object.entries(SECRETS_MANAGER_OPERATIONS)
      .map(([name, run]) => [name, (principal, input) => run(options.secrets, principal, input)])),
    isServiceError: (error): error is SecretsManagerError => error instanceof SecretsManagerError,
    internalErrorCode: 'InternalServiceError',
    accessControl: options.accessControl,
    port: options.port,
  });
}
