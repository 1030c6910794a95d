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
  };
}
