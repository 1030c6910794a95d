/**
 * The event AWS IoT publishes on $aws/events/certificates/registered/<caCertificateId>
 * when a device first connects with a certificate signed by a CA with auto-registration.
 */
export interface CertificateRegisteredEvent {
  readonly certificateId: string;
  readonly caCertificateId: string;
  readonly certificateStatus?: string;
  readonly awsAccountId?: string;
  readonly timestamp?: number;
  /** When AWS IoT registered the certificate (epoch ms); the same in every repeat of the event. */
  readonly certificateRegistrationTimestamp?: number;
}

/** A message that can never be processed: retrying it would only delay the queue. */
export class MalformedEventError extends Error {
  constructor(problem: string) {
    super(`malformed certificate-registered event: ${problem}`);
    this.name = 'MalformedEventError';
  }
}

const CERTIFICATE_ID = /^[0-9a-f]{64}$/;

export function parseRegisteredEvent(body: string): CertificateRegisteredEvent {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new MalformedEventError('body is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null) throw new MalformedEventError('body is not an object');
  const event = parsed as Record<string, unknown>;
  for (const field of ['certificateId', 'caCertificateId']) {
    if (typeof event[field] !== 'string' || !CERTIFICATE_ID.test(event[field] as string)) {
      throw new MalformedEventError(`${field} must be a 64-character lowercase hex certificate id`);
    }
  }
  return {
    certificateId: event.certificateId as string,
    caCertificateId: event.caCertificateId as string,
    certificateStatus: typeof event.certificateStatus === 'string' ? event.certificateStatus : undefined,
    awsAccountId: typeof event.awsAccountId === 'string' ? event.awsAccountId : undefined,
    timestamp: epochMillis(event.timestamp),
    certificateRegistrationTimestamp: epochMillis(event.certificateRegistrationTimestamp),
  };
}

/**
 * How long after a certificate's registration its registration event may still be on its way to the activator
 * (queued behind a burst, or retried once): repeats of the event younger than this are not needed to activate it.
 */
export const DEFAULT_REMINDER_GRACE_MS = 60_000;

/** A repeat published this soon after the registration is taken for the registration event itself (equal or near timestamps). */
const MIN_REMINDER_AGE_MS = 1_000;

/**
 * True for an early reminder: a repeat of the event that AWS IoT published because the device connected again
 * while its certificate was still PENDING_ACTIVATION, less than `graceMs` after the registration.
 *
 * The registration event goes through the queue with retries and a dead-letter queue; the repeats exist so a
 * device whose registration event was lost is activated all the same. While the registration is young its event
 * is in all likelihood still queued (a burst of thousands waits minutes at 10 TPS), and handling each repeat
 * would cost a DescribeCertificate, the scarcest call: every device retrying with back-off sends several, which
 * took the activation rate under half of what the rate limits allow. So early reminders are let go; later ones,
 * which a lost registration event leaves behind, are handled. Events without both timestamps are never reminders.
 */
export function isEarlyReminder(event: CertificateRegisteredEvent, graceMs: number): boolean {
  if (event.timestamp === undefined || event.certificateRegistrationTimestamp === undefined) return false;
  const age = event.timestamp - event.certificateRegistrationTimestamp;
  return age >= MIN_REMINDER_AGE_MS && age < graceMs;
}

/** A number, or a string of digits (AWS documents the field without saying which); anything else is absent. */
function epochMillis(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  return undefined;
}
