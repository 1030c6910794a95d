import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, SQSBatchResponse, SQSEvent, SQSRecord } from 'aws-lambda';
import { activateDevice, ActivatorDeps, isSettled } from './activate-device';
import { runInLanes } from './batch-lanes';
import { cachedCaOwnership } from './ca-ownership';
import { KeyedLock } from './keyed-lock';
import {
  CertificateRegisteredEvent,
  DEFAULT_REMINDER_GRACE_MS,
  isEarlyReminder,
  MalformedEventError,
  parseRegisteredEvent,
} from './registered-event';
import { SettledCertificates } from './settled-certificates';
import { createIotClient } from '../shared/iot/iot-client';
import { createLogger, describeError, Logger } from '../shared/logging/logger';
import { lambdaVerifier, verifierArnsFromEnv } from '../shared/verifier/invoke-verifier';

/** SQS-driven: one certificate-registered event per message, partial batch failures reported. */
const iot = createIotClient();
const deps: Omit<ActivatorDeps, 'logger'> = {
  iot,
  lookupCa: cachedCaOwnership(iot, requiredEnv('REGISTRAR_ID')),
  verify: lambdaVerifier(new LambdaClient({}), verifierArnsFromEnv()),
  policyName: requiredEnv('DEVICE_POLICY_NAME'),
  thingClaims: new KeyedLock(),
};
const rootLogger = createLogger({ function: 'device-activator' });
/** Registrations this instance settled: AWS IoT repeats the event on every connect of a pending device. */
const settled = new SettledCertificates();
/** See isEarlyReminder; REMINDER_GRACE_SECONDS (not set by the construct) changes it, 0 handles every repeat. */
const reminderGraceMs = graceFromEnv(process.env.REMINDER_GRACE_SECONDS);
/**
 * Activations one instance runs at once: the event source's batch size, so a batch's devices all overlap.
 * With the default two instances that is ten activations in flight, about one second of the scarcest
 * operations' budget: enough to hide the calls' round trips, bounded so throttling stays a retry or two.
 */
const DEFAULT_ACTIVATIONS_IN_PARALLEL = 5;
/** ACTIVATIONS_IN_PARALLEL (not set by the construct) changes it; 1 is one device at a time. */
const activationsInParallel = parallelFromEnv(process.env.ACTIVATIONS_IN_PARALLEL);

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  const jobs = event.Records.map((record) => ({ record, registered: parseOrError(record.body) }));
  // Several devices at once: an activation is seven calls one after another (six to the control plane, one to
  // the verifier), so one at a time an instance mostly waits on round trips, and two fall short of the ~10 TPS
  // the account allows. Repeats
  // of one certificate's event share a lane and run in order, so the later ones find it settled.
  await runInLanes(jobs, laneOf, activationsInParallel, async ({ record, registered }) => {
    const logger = rootLogger.child({ requestId: context?.awsRequestId, messageId: record.messageId });
    if (!(await handleRecord(registered, logger))) batchItemFailures.push({ itemIdentifier: record.messageId });
  });
  return { batchItemFailures };
}

/** False when the record must come back for another attempt. */
async function handleRecord(registered: CertificateRegisteredEvent | Error, logger: Logger): Promise<boolean> {
  if (registered instanceof MalformedEventError) {
    // Not a device: retrying cannot help, so it is logged and dropped.
    logger.error('event discarded', describeError(registered));
    return true;
  }
  try {
    if (registered instanceof Error) throw registered;
    if (settled.has(registered)) {
      logger.info('activation ignored', { certificateId: registered.certificateId, reason: 'a repeated event: this instance settled the certificate already' });
      return true;
    }
    if (isEarlyReminder(registered, reminderGraceMs)) {
      logger.info('activation ignored', { certificateId: registered.certificateId, reason: 'an early reminder: the registration event is on its way' });
      return true;
    }
    const result = await activateDevice({ ...deps, logger }, registered);
    if (isSettled(result)) settled.remember(registered);
    logger.info(`activation ${result.outcome}`, { certificateId: registered.certificateId, ...result });
    return true;
  } catch (error) {
    logger.error('activation failed; the message will be retried', describeError(error));
    return false;
  }
}

function parseOrError(body: string): CertificateRegisteredEvent | Error {
  try {
    return parseRegisteredEvent(body);
  } catch (error) {
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** A certificate's events share a lane; a record that is not an event is alone in its own. */
function laneOf(job: { record: SQSRecord; registered: CertificateRegisteredEvent | Error }): string {
  return job.registered instanceof Error ? `unreadable:${job.record.messageId}` : job.registered.certificateId;
}

function parallelFromEnv(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_ACTIVATIONS_IN_PARALLEL;
  const count = Number(text);
  if (!Number.isInteger(count) || count < 1) throw new Error(`ACTIVATIONS_IN_PARALLEL must be a whole number (1 or more), got ${text}`);
  return count;
}

function graceFromEnv(text: string | undefined): number {
  if (text === undefined || text === '') return DEFAULT_REMINDER_GRACE_MS;
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds < 0) throw new Error(`REMINDER_GRACE_SECONDS must be a number of seconds (0 or more), got ${text}`);
  return seconds * 1000;
}

function requiredEnv(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`environment variable ${name} is not set`);
  return value;
}
