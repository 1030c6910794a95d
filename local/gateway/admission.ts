import type { GatewayCa, GatewayCertificate, GatewayRegistry } from './registry-view';
import type { TlsIdentity } from './tls-identity';

/** What AWS IoT does with a new TLS connection, before any MQTT is read. */
export type Admission =
  | { readonly kind: 'admit'; readonly certificate: GatewayCertificate }
  | { readonly kind: 'just-in-time-registration'; readonly certificate: GatewayCertificate; readonly caCertificateId: string }
  | {
    readonly kind: 'just-in-time-provisioning';
    readonly certificateId: string;
    readonly caCertificateId: string;
    readonly provisioned: boolean;
    readonly reason?: string;
  }
  | { readonly kind: 'refuse'; readonly reason: string };

/**
 * Decides on a device by its leaf certificate, as AWS IoT does: a registered
 * ACTIVE certificate is admitted (its policies decide the rest); an unknown one
 * signed by a registered CA with auto-registration is registered (JITR) or
 * provisioned (JITP, when the CA carries a template) and the connection closed;
 * everything else is refused.
 */
export async function admit(registry: GatewayRegistry, identity: TlsIdentity | undefined): Promise<Admission> {
  if (!identity) return { kind: 'refuse', reason: 'no client certificate' };
  const known = registry.certificate(identity.certificateId);
  if (known) return admitKnown(registry, known, identity);

  const ca = await registry.findRegisteredIssuer(identity.certificatePem, identity.presentedChainPems);
  if (!ca) return { kind: 'refuse', reason: 'the certificate is not registered and no registered CA signed it' };
  const problem = autoRegistrationProblem(ca, identity);
  if (problem) return { kind: 'refuse', reason: problem };
  return registerOrProvision(registry, ca, identity);
}

async function admitKnown(registry: GatewayRegistry, certificate: GatewayCertificate, identity: TlsIdentity): Promise<Admission> {
  if (certificate.status === 'ACTIVE') return { kind: 'admit', certificate };
  if (certificate.status === 'PENDING_ACTIVATION' && certificate.caCertificateId) {
    // Every connect of a pending certificate repeats what its first connect did.
    const ca = registry.caCertificate(certificate.caCertificateId);
    if (ca && !autoRegistrationProblem(ca, identity)) return registerOrProvision(registry, ca, identity);
  }
  return { kind: 'refuse', reason: `the certificate is ${certificate.status}` };
}

async function registerOrProvision(registry: GatewayRegistry, ca: GatewayCa, identity: TlsIdentity): Promise<Admission> {
  if (ca.registrationConfig) {
    const result = await registry.provisionJustInTime(identity.certificatePem, ca.certificateId);
    return { kind: 'just-in-time-provisioning', certificateId: identity.certificateId, caCertificateId: ca.certificateId, ...result };
  }
  const certificate = registry.registerPendingCertificate(identity.certificatePem, ca.certificateId);
  return { kind: 'just-in-time-registration', certificate, caCertificateId: ca.certificateId };
}

/** Why a CA cannot auto-register this device, or undefined when it can. */
function autoRegistrationProblem(ca: GatewayCa, identity: TlsIdentity): string | undefined {
  if (ca.status !== 'ACTIVE') return `the CA ${ca.certificateId} is ${ca.status}`;
  if (ca.autoRegistrationStatus !== 'ENABLE') return `the CA ${ca.certificateId} does not allow auto-registration`;
  if (ca.certificateMode === 'SNI_ONLY' && !identity.serverName) {
    return 'the CA is registered in SNI_ONLY mode and the device sent no SNI';
  }
  if (ca.certificateMode !== 'SNI_ONLY' && !identity.presentedChainPems.some((pem) => samePem(pem, ca.certificatePem))) {
    // JITP: "Presenting the CA certificate is optional, but the device is required to send the
    // Server Name Indication (SNI) extension" (AWS IoT Developer Guide, Just-in-time provisioning).
    if (ca.registrationConfig && identity.serverName) return undefined;
    return ca.registrationConfig
      ? 'the device sent neither its CA certificate after its own certificate nor SNI in the TLS handshake'
      : 'the device did not send its CA certificate after its own certificate in the TLS handshake';
  }
  return undefined;
}

function samePem(a: string, b: string): boolean {
  const body = (pem: string) => pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, '');
  return body(a) === body(b);
}
