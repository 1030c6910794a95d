import { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent, Context } from 'aws-lambda';
import { KeyDeletionDeps, KeyDeletionResult, onKeyDeletionEvent } from './ca-key-deletion';
import { createKmsClient } from '../shared/kms/kms-ca-key';
import { withResourceRequestLogging } from '../shared/logging/custom-resource-logging';
import { createLogger } from '../shared/logging/logger';
import { readVaultLocation } from '../shared/vault/vault-location';

/**
 * onEvent of the custom resource that deletes the KMS-held CA keys with the stack (CDK Provider
 * framework): wiring only; the work is in ca-key-deletion.ts. A throw fails the step with its message.
 */
const deps: Omit<KeyDeletionDeps, 'logger'> = {
  s3: new S3Client({}),
  // Its retries absorb KMS throttling (ScheduleKeyDeletion shares the account's request quota).
  kms: createKmsClient(),
  vault: readVaultLocation(),
};
const rootLogger = createLogger({ function: 'ca-key-deletion' });

export async function handler(event: CloudFormationCustomResourceEvent, context?: Context): Promise<KeyDeletionResult> {
  return withResourceRequestLogging(rootLogger, event, context, 'CA key deletion request failed',
    (logger) => onKeyDeletionEvent({ ...deps, logger }, event));
}
