/**
 * The KMS API over HTTP for SDK clients (`AWS_ENDPOINT_URL_KMS`): awsJson1_1, the operation named by
 * `X-Amz-Target: TrentService.<Op>`, every request SigV4-signed for service `kms`.
 */
import { KmsError } from './errors';
import { KMS_OPERATIONS } from './kms-operations';
import type { LocalKms } from './local-kms';
import { startAwsJsonApi } from '../http/aws-json-api';
import type { AccessControl } from '../iam/types';

export interface KmsApiOptions {
  readonly kms: LocalKms;
  readonly accessControl: AccessControl;
  /** Default 0: any free port. */
  readonly port?: number;
}

export interface RunningApi {
  /** http://127.0.0.1:<port> */
  readonly url: string;
  close(): Promise<void>;
}

export async function startKmsApi(options: KmsApiOptions): Promise<RunningApi> {
  return startAwsJsonApi({
    serviceName: 'KMS',
    signingName: 'kms',
    targetPrefix: 'TrentService.',
    operations: Object.fromEntries(Object.entries(KMS_OPERATIONS)
      .map(([name, run]) => [name, (principal, input) => run(options.kms, principal, input)])),
    isServiceError: (error): error is KmsError => error instanceof KmsError,
    internalErrorCode: 'KMSInternalException',
    accessControl: options.accessControl,
    port: options.port,
  });
}
