import { LambdaClient } from '@aws-sdk/client-lambda';
import type { Context, SQSBatchResponse, SQSEvent } from 'aws-lambda';
import { activateDevice, ActivatorDeps, isSettled } from './activate-device';
import { cachedCaOwnership } from './ca-ownership';
import { DEFAULT_REMINDER_GRACE_MS, isEarlyReminder, MalformedEventError, parseRegisteredEvent } from './registered-event';
import { SettledCertificates } from './settled-certificates';
import { createIotClient } from '../shared/iot/iot-client';
import { createLogger, describeError } from '../shared/logging/logger';
import { lambdaVerifier, verifierArnsFromEnv } from '../shared/verifier/invoke-verifier';

/** SQS-driven: one certificate-registered event per message, partial batch failures reported. */
const iot = createIotClient();
const deps: Omit<ActivatorDeps, 'logger'> = {
  iot,
  lookupCa: cachedCaOwnership(iot, requiredEnv('REGISTRAR_ID')),
  verify: lambdaVerifier(new LambdaClient({}), verifierArnsFromEnv()),
  policyName: requiredEnv('DEVICE_POLICY_NAME'),
};
const rootLogger = createLogger({ function: 'device-activator' });
/** Registrations this instance settled: AWS IoT repeats the event on every connect of a pending device. */
const settled = new SettledCertificates();
/** See isEarlyReminder; REMINDER_GRACE_SECONDS (not set by the construct) changes it, 0 handles every repeat. */
const reminderGraceMs = graceFromEnv(process.env.REMINDER_GRACE_SECONDS);

export async function handler(event: SQSEvent, context?: Context): Promise<SQSBatchResponse> {
  const batchItemFailures: SQSBatchResponse['batchItemFailures'] = [];
  // One at a time: the control plane allows ~10 TPS per account, so parallelism
  // here would only turn into throttling and retries.
  for (const record of event.Records) {
    const logger = rootLogger.child({ requestId: context?.awsRequestId, messageId: record.messageId });
    try {
      const registered = parseRegisteredEvent(record.body);
      if (settled.has(registered)) {
        logger.info('activation ignored', { certificateId: registered.certificateId, reason: 'a repeated event: this instance settled the certificate already' });
        continue;
      }
      if (isEarlyReminder(registered, reminderGraceMs)) {
        logger.info('activation ignored', { certificateId: registered.certificateId, reason: 'an early reminder: the registration event is on its way' });
        continue;
      }
      const result = await activateDevice({ ...deps, logger }, registered);
      if (isSettled(result)) settled.remember(registered);
      logger.info(`activation ${result.outcome}`, { certificateId: registered.certificateId, ...result });
    } catch (error) {
      if (error instanceof MalformedEventError) {
        // Not a device: retrying cannot help, so it is logged and dropped.
        logger.error('event discarded', describeError(error));
        continue;
      }
      logger.error('activation failed; the message will be retried', describeError(error));
      batchItemFailures.push({ itemIdentifier: record.messageId });
    }
  }
  return { batchItemFailures };
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
