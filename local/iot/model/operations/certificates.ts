/** Device certificate operations: registering, issuing (new key pair or CSR), describing, status changes, deletion and listing. */
import type * as Iot from '@aws-sdk/client-iot';
import { inspectCertificate } from '../../../../lambda-assets/shared/pki';
import { inspectDeviceCertificate } from '../certificate-checks';
import { invalidRequest, iotError } from '../errors';
import { REGISTRATION_STATUSES } from '../provisioning';
import { registeredCertificateDescription, type CertificateRecord } from '../records';
import { paginate, requireCertificateId, requireOneOf, requireString } from '../validation';
import type { ControlPlaneContext } from './context';

const CERTIFICATE_STATUSES = ['ACTIVE', 'INACTIVE', 'REVOKED', 'PENDING_TRANSFER', 'REGISTER_INACTIVE', 'PENDING_ACTIVATION'] as const;

/**
 * Registers a device certificate signed by a registered, ACTIVE CA: the one given as
 * caCertificatePem, or else the registered CA whose key signed it. Status: `status`, else
 * ACTIVE with setAsActive, else INACTIVE.
 */
export async function registerCertificate(ctx: ControlPlaneContext, input: Iot.RegisterCertificateRequest): Promise<Iot.RegisterCertificateResponse> {
  ctx.throttle('RegisterCertificate');
  const info = inspectDeviceCertificate(input.certificatePem);
  const status = registrationStatus(input.status, input.setAsActive);
  const pem = input.certificatePem as string;
  const caId = await ctx.registry.issuingCaIdOf(pem, input.caCertificatePem, (name, message) => iotError(name, message));
  const ca = ctx.registry.state.cas.get(caId);
  if (!ca) throw iotError('CertificateValidationException', 'The CA certificate that signed the certificate is no longer registered');
  if (ca.status !== 'ACTIVE') {
    throw iotError('CertificateStateException', `The CA certificate ${ca.certificateId} is ${ca.status}; only an ACTIVE CA's certificates can be registered`);
  }
  const record = ctx.registry.addCertificate(pem, info, status, { caCertificateId: ca.certificateId, certificateMode: ca.certificateMode });
  return { certificateArn: record.certificateArn, certificateId: record.certificateId };
}

/** Registers a certificate whose CA is not registered (certificateMode SNI_ONLY). */
export async function registerCertificateWithoutCA(
  ctx: ControlPlaneContext,
  input: Iot.RegisterCertificateWithoutCARequest,
): Promise<Iot.RegisterCertificateWithoutCAResponse> {
  ctx.throttle('RegisterCertificateWithoutCA');
  const info = inspectDeviceCertificate(input.certificatePem);
  const status = registrationStatus(input.status, undefined);
  const record = ctx.registry.addCertificate(input.certificatePem as string, info, status, { certificateMode: 'SNI_ONLY' });
  return { certificateArn: record.certificateArn, certificateId: record.certificateId };
}

/** A new RSA 2048 key pair and a certificate for it from the (local) Amazon issuing CA. */
export async function createKeysAndCertificate(
  ctx: ControlPlaneContext,
  input: Iot.CreateKeysAndCertificateRequest = {},
): Promise<Iot.CreateKeysAndCertificateResponse> {
  ctx.throttle('CreateKeysAndCertificate');
  const issued = await ctx.issuer.issueDeviceCertificateWithNewKey();
  const record = ctx.registry.addCertificate(issued.certificatePem, inspectCertificate(issued.certificatePem), input.setAsActive === true ? 'ACTIVE' : 'INACTIVE', {});
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    certificatePem: record.certificatePem,
    keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
  };
}

/**
 * Certifies the key of a PKCS#10 CSR with the (local) Amazon issuing CA, keeping the requested
 * subject. A CSR that does not parse, whose signature does not verify, or whose key AWS IoT does
 * not accept is refused with InvalidRequestException.
 */
export async function createCertificateFromCsr(
  ctx: ControlPlaneContext,
  input: Iot.CreateCertificateFromCsrRequest,
): Promise<Iot.CreateCertificateFromCsrResponse> {
  ctx.throttle('CreateCertificateFromCsr');
  const certificatePem = await ctx.issuer.certifyCsr(requireString(input.certificateSigningRequest, 'certificateSigningRequest'));
  const record = ctx.registry.addCertificate(certificatePem, inspectCertificate(certificatePem), input.setAsActive === true ? 'ACTIVE' : 'INACTIVE', {});
  return { certificateArn: record.certificateArn, certificateId: record.certificateId, certificatePem };
}

export async function describeCertificate(ctx: ControlPlaneContext, input: Iot.DescribeCertificateRequest): Promise<Iot.DescribeCertificateResponse> {
  ctx.throttle('DescribeCertificate');
  const certificate = ctx.registry.requireCertificate(input.certificateId);
  return {
    certificateDescription: {
      ...registeredCertificateDescription(certificate),
      caCertificateId: certificate.caCertificateId,
      status: certificate.status,
      transferData: {},
    },
  };
}

/**
 * ACTIVE, INACTIVE or REVOKED. PENDING_ACTIVATION and PENDING_TRANSFER are AWS IoT's own (only
 * registration sets PENDING_ACTIVATION) and REGISTER_INACTIVE is deprecated: InvalidRequestException.
 * A REVOKED certificate's status can't be changed any more: CertificateStateException.
 */
export async function updateCertificate(ctx: ControlPlaneContext, input: Iot.UpdateCertificateRequest): Promise<Record<string, never>> {
  ctx.throttle('UpdateCertificate');
  const newStatus = requireOneOf(input.newStatus, CERTIFICATE_STATUSES, 'newStatus');
  if (newStatus === 'PENDING_ACTIVATION' || newStatus === 'PENDING_TRANSFER' || newStatus === 'REGISTER_INACTIVE') {
    throw invalidRequest(`The status cannot be set to ${newStatus}: ${newStatus === 'REGISTER_INACTIVE' ? 'it is deprecated' : 'AWS IoT sets it itself'}`);
  }
  const certificate = ctx.registry.requireCertificate(input.certificateId);
  if (certificate.status === newStatus) return {};
  if (certificate.status === 'REVOKED') {
    throw iotError('CertificateStateException', `Certificate ${certificate.certificateId} is REVOKED; a revoked certificate's status cannot be changed`);
  }
  if (certificate.status === 'PENDING_TRANSFER') {
    throw iotError('CertificateStateException', `Certificate ${certificate.certificateId} is being transferred`);
  }
  certificate.status = newStatus;
  ctx.registry.touch(certificate);
  return {};
}

/**
 * Refused while ACTIVE (CertificateStateException) or attached to a thing (DeleteConflictException);
 * attached policies refuse it too unless forceDelete, which detaches them.
 */
export async function deleteCertificate(ctx: ControlPlaneContext, input: Iot.DeleteCertificateRequest): Promise<Record<string, never>> {
  ctx.throttle('DeleteCertificate');
  const certificate = ctx.registry.requireCertificate(input.certificateId);
  const arn = certificate.certificateArn;
  if (certificate.status === 'ACTIVE') {
    throw iotError('CertificateStateException', `Certificate must be deactivated (not ACTIVE) before deletion. Id: ${certificate.certificateId}`);
  }
  if (ctx.registry.thingsOfPrincipal(arn).length > 0) {
    throw iotError('DeleteConflictException', `Things must be detached before deletion (arn: ${arn})`);
  }
  if ((ctx.registry.state.policyTargets.get(arn) ?? []).length > 0 && input.forceDelete !== true) {
    throw iotError('DeleteConflictException', `Certificate policies must be detached before deletion (arn: ${arn})`);
  }
  ctx.registry.state.policyTargets.delete(arn);
  ctx.registry.state.certificates.delete(certificate.certificateId);
  ctx.certificateDeleted(certificate.certificateId);
  return {};
}

export async function listCertificatesByCA(
  ctx: ControlPlaneContext,
  input: Iot.ListCertificatesByCARequest,
): Promise<Iot.ListCertificatesByCAResponse> {
  ctx.throttle('ListCertificatesByCA');
  const caId = requireCertificateId(input.caCertificateId, 'caCertificateId');
  return listCertificatesWhere(ctx, c => c.caCertificateId === caId, input);
}

export async function listCertificates(ctx: ControlPlaneContext, input: Iot.ListCertificatesRequest = {}): Promise<Iot.ListCertificatesResponse> {
  ctx.throttle('ListCertificates');
  return listCertificatesWhere(ctx, () => true, input);
}

function listCertificatesWhere(
  ctx: ControlPlaneContext,
  keep: (certificate: CertificateRecord) => boolean,
  input: { pageSize?: number; marker?: string; ascendingOrder?: boolean },
): { certificates: Iot.Certificate[]; nextMarker?: string } {
  const certificates = [...ctx.registry.state.certificates.values()].filter(keep);
  if (input.ascendingOrder !== true) certificates.reverse();
  const { page, next } = paginate(certificates, input.pageSize, input.marker);
  return {
    certificates: page.map(c => ({
      certificateArn: c.certificateArn,
      certificateId: c.certificateId,
      status: ctx.registry.expireClaim(c).status,
      certificateMode: c.certificateMode,
      creationDate: c.creationDate,
    })),
    nextMarker: next,
  };
}

function registrationStatus(status: unknown, setAsActive: boolean | undefined): Iot.CertificateStatus {
  if (status !== undefined) return requireOneOf(status, REGISTRATION_STATUSES, 'status');
  return setAsActive === true ? 'ACTIVE' : 'INACTIVE';
}
