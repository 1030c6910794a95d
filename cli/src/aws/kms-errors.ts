import { explainAwsError, type AwsService } from './aws-errors';
import { ClientError } from '../../../lambda-assets/shared/http/client-error';
import { CliError, EXIT } from '../exit-codes';

const KEY_UNUSABLE_HINT = 'enable the key (aws kms enable-key) or cancel its deletion (aws kms cancel-key-deletion, then enable-key),'
  + ' or sign with the key of the CA you mean';
const THROTTLED_HINT = 'AWS KMS throttled the call even after the SDK\'s retries (its request quotas are per account and Region):'
  + ' wait a moment and run it again';

/** What to do when AWS KMS answers a CA signer with this exception. */
const KMS_HINTS: Readonly<Record<string, string>> = {
  AccessDeniedException: 'only the roles a CA key\'s policy names may use it (a stack\'s caKeySigners): run as one of them'
    + ' (--profile, or its credentials); `aws sts get-caller-identity` shows who you are',
  NotFoundException: 'check the key id or ARN and the Region: a KMS key lives in one Region (--region, or give the key\'s ARN)',
  DisabledException: KEY_UNUSABLE_HINT,
  KMSInvalidStateException: KEY_UNUSABLE_HINT,
  ThrottlingException: THROTTLED_HINT,
  LimitExceededException: THROTTLED_HINT,
  InvalidKeyUsageException: 'a CA key is an asymmetric SIGN_VERIFY key (ECC_NIST_P256/P384, RSA_2048/3072/4096)',
  UnsupportedOperationException: 'a CA key is an asymmetric SIGN_VERIFY key (ECC_NIST_P256/P384, RSA_2048/3072/4096)',
};

export const AWS_KMS: AwsService = { name: 'AWS KMS', endpointVariable: 'AWS_ENDPOINT_URL_KMS', hints: KMS_HINTS };

/**
 * Explains a failed KMS call. The PKI's KMS signer (shared with the stack's API) has already
 * turned a key that cannot sign and throttling into the API's answers; here they become the
 * CLI's refusals again, with what to do.
 */
export function explainKmsError(error: unknown, operation: string, keyId: string, endpoint?: string): CliError {
  if (error instanceof ClientError && error.code === 'CaKeyUnavailable') {
    return new CliError(`AWS KMS refused ${operation}: the key ${keyId} is disabled, pending deletion or deleted`, EXIT.REFUSED, KEY_UNUSABLE_HINT);
  }
  if (error instanceof ClientError && error.code === 'Throttled') {
    return new CliError(`AWS KMS refused ${operation}: throttled`, EXIT.REFUSED, THROTTLED_HINT);
  }
  return explainAwsError(error, operation, endpoint, AWS_KMS);
}

/** Runs one KMS call for `keyId` and explains its failure. */
export async function kmsCall<T>(operation: string, keyId: string, call: () => Promise<T>, endpoint?: string): Promise<T> {
  try {
    return await call();
  } catch (error) {
    throw explainKmsError(error, operation, keyId, endpoint);
  }
}
