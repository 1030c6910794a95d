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
    timestamp: typeof event.timestamp === 'number' ? event.timestamp : undefined,
    certificateRegistrationTimestamp: epochMillis(event.certificateRegistrationTimestamp),
  };
}

/** A number, or a string of digits (AWS documents the field without saying which); anything else is absent. */
function epochMillis(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{1,16}$/.test(value)) return Number(value);
  return undefined;
}
