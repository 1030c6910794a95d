import { CertificateRegisteredEvent } from './registered-event';

/**
 * The registrations this activator instance has already settled: activated, rejected, or found no
 * longer PENDING_ACTIVATION.
 *
 * AWS IoT publishes the registration event again every time a device connects while its certificate
 * is still PENDING_ACTIVATION, and a device retrying with back-off connects several times while a
 * burst waits in the queue: in a 2,000-device burst the activator saw three events per device. Each
 * costs a DescribeCertificate, the scarcest call (10 TPS, as UpdateCertificate), so without this the
 * repeats ate half the activation rate. A repeat of a registration this instance settled needs no
 * call at all: the certificate is ACTIVE or REVOKED, and only AWS IoT's JITR can make it pending again,
 * by registering it anew (after a deletion), which gives it a new registration timestamp and so a new key.
 *
 * Per instance, in memory, bounded (oldest dropped first) and expiring: a repeat that reaches another
 * instance, or comes after the entry expired, costs one DescribeCertificate as before and is ignored there.
 */
export class SettledCertificates {
  private readonly ttlMs: number;
  private readonly maxEntries: number;
  private readonly now: () => number;
  /** Key -> expiry, in insertion order (Map keeps it), so the oldest is first to go. */
  private readonly expiries = new Map<string, number>();

  constructor(options: { ttlMs?: number; maxEntries?: number; now?: () => number } = {}) {
    this.ttlMs = options.ttlMs ?? 15 * 60_000;
    this.maxEntries = options.maxEntries ?? 20_000;
    this.now = options.now ?? Date.now;
  }

  /** True when this instance settled the registration the event announces, within the TTL. */
  has(event: CertificateRegisteredEvent): boolean {
    const key = keyOf(event);
    const expiry = this.expiries.get(key);
    if (expiry === undefined) return false;
    if (expiry > this.now()) return true;
    this.expiries.delete(key);
    return false;
  }

  remember(event: CertificateRegisteredEvent): void {
    const key = keyOf(event);
    this.expiries.delete(key); // re-inserted last: the newest
    this.expiries.set(key, this.now() + this.ttlMs);
    while (this.expiries.size > this.maxEntries) {
      this.expiries.delete(this.expiries.keys().next().value as string);
    }
  }

  get size(): number {
    return this.expiries.size;
  }
}

/**
 * A registration: the certificate and when AWS IoT registered it. Events without the registration
 * timestamp fall back to the certificate alone (the TTL then bounds how long a re-registration waits).
 */
function keyOf(event: CertificateRegisteredEvent): string {
  return `${event.certificateId}@${event.certificateRegistrationTimestamp ?? ''}`;
}
