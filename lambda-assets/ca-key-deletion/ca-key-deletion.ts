import { KMSClient, ScheduleKeyDeletionCommand } from '@aws-sdk/client-kms';
import type { S3Client } from '@aws-sdk/client-s3';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import { whoMayDeleteCaKeys } from './deletion-owner';
import { caFolders, readCaKeyRecord, type CaKeyRecordRead } from './kms-key-records';
import { isAwsError } from '../shared/iot/aws-errors';
import { describeError, type Logger } from '../shared/logging/logger';
import { CaVault, type CaVaultLocation } from '../shared/vault/ca-vault';

/** One resource per CA registrator; the id never changes, so an Update is never taken for a replacement. */
export const PHYSICAL_RESOURCE_ID = 'kms-ca-key-deletion';
/** KMS's longest waiting period: an operator can still CancelKeyDeletion for 30 days. */
export const PENDING_WINDOW_DAYS = 30;

export interface KeyDeletionDeps {
  readonly s3: S3Client;
  readonly kms: KMSClient;
  readonly vault: CaVaultLocation;
  readonly logger: Logger;
}

export interface KeyDeletionResult {
  readonly PhysicalResourceId: string;
}

type Outcome = 'scheduled' | 'already-pending' | 'not-found' | 'skipped' | 'failed';

/**
 * Create and Update: nothing (the keys are made by the CA registrator at run time). Delete, when the
 * stack is being deleted: every CA key the vault names is scheduled for deletion, before the vault's
 * records go with its bucket. A key that is already pending deletion or gone counts as done, one this
 * stack may not touch (another registrar's, by its tag) and a record that is not one are logged and
 * skipped; a key or record that could not be handled for a passing reason (throttling after the SDK's
 * retries, S3 or KMS unavailable) fails the Delete, so deleting the stack again retries it while the
 * records still exist.
 */
export async function onKeyDeletionEvent(deps: KeyDeletionDeps, event: CloudFormationCustomResourceEvent): Promise<KeyDeletionResult> {
  if (event.RequestType !== 'Delete') {
    deps.logger.info('nothing to do: CA keys are deleted when the stack is');
    return { PhysicalResourceId: PHYSICAL_RESOURCE_ID };
  }
  const result = { PhysicalResourceId: event.PhysicalResourceId };
  const owner = await whoMayDeleteCaKeys(deps.s3, deps.vault.bucket);
  if (owner !== event.LogicalResourceId) {
    deps.logger.info('CA keys kept', {
      reason: owner === 'bucket-gone' ? 'the vault bucket no longer exists, so no record names a key'
        : 'the vault bucket\'s tag does not name this resource: it leaves the template or is replaced, the stack stays',
      taggedOwner: owner ?? null,
    });
    return result;
  }
  const counts = await scheduleCaKeyDeletions(deps);
  deps.logger.info('CA keys of the vault handled', counts);
  if (counts.failed > 0) {
    throw new Error(`${counts.failed} CA key(s) could not be scheduled for deletion (see the log); delete the stack again to retry them`);
  }
  return result;
}

async function scheduleCaKeyDeletions(deps: KeyDeletionDeps): Promise<Record<Outcome, number>> {
  const counts: Record<Outcome, number> = { 'scheduled': 0, 'already-pending': 0, 'not-found': 0, 'skipped': 0, 'failed': 0 };
  const vault = new CaVault(deps.s3, deps.vault);
  for await (const caCertificateId of caFolders(deps.s3, deps.vault)) {
    let read: CaKeyRecordRead;
    try {
      read = await readCaKeyRecord(vault, caCertificateId);
    } catch (error) {
      deps.logger.error('CA key record unreadable', { caCertificateId, ...describeError(error) });
      counts.failed += 1;
      continue;
    }
    if (read.record) {
      counts[await scheduleDeletion(deps, caCertificateId, read.record.keyArn)] += 1;
    } else if (read.malformed) {
      deps.logger.warn('CA key record skipped', { caCertificateId, reason: read.malformed });
      counts.skipped += 1;
    }
  }
  return counts;
}

async function scheduleDeletion(deps: KeyDeletionDeps, caCertificateId: string, keyArn: string): Promise<Outcome> {
  try {
    const { DeletionDate } = await deps.kms.send(new ScheduleKeyDeletionCommand({ KeyId: keyArn, PendingWindowInDays: PENDING_WINDOW_DAYS }));
    deps.logger.info('CA key scheduled for deletion', { caCertificateId, keyArn, deletionDate: DeletionDate?.toISOString() ?? null });
    return 'scheduled';
  } catch (error) {
    const outcome = outcomeOfRefusal(error);
    const fields = { caCertificateId, keyArn, outcome, ...describeError(error) };
    if (outcome === 'failed') deps.logger.error('CA key deletion failed', fields);
    else if (outcome === 'skipped') deps.logger.warn('CA key skipped', fields);
    else deps.logger.info('CA key already on its way out', fields);
    return outcome;
  }
}

/**
 * KMSInvalidStateException: the key is already pending deletion (a repeated Delete, or an operator
 * was first). AccessDeniedException: not this stack's key by its registrar tag (a vault shared with
 * another construct), or a key policy that shuts us out; retrying changes nothing, so it is skipped.
 */
function outcomeOfRefusal(error: unknown): Outcome {
  if (isAwsError(error, 'KMSInvalidStateException')) return 'already-pending';
  if (isAwsError(error, 'NotFoundException')) return 'not-found';
  if (isAwsError(error, 'AccessDeniedException', 'InvalidArnException')) return 'skipped';
  return 'failed';
}
