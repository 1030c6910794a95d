import type { GatewayCertificate } from './registry-view';

/** The topic AWS IoT announces a just-in-time registered certificate on. */
export function certificateRegisteredTopic(caCertificateId: string): string {
  return `$aws/events/certificates/registered/${caCertificateId}`;
}

/** The event, field for field as AWS IoT publishes it. */
export function certificateRegisteredEvent(certificate: GatewayCertificate, caCertificateId: string, accountId: string, now: number) {
  return {
    certificateId: certificate.certificateId,
    caCertificateId,
    timestamp: now,
    certificateStatus: 'PENDING_ACTIVATION',
    awsAccountId: accountId,
    certificateRegistrationTimestamp: certificate.creationDate?.getTime() ?? now,
  };
}
