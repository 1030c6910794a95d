/** CA certificate operations: the registration code, RegisterCACertificate and its Describe/Update/List/Delete. */
import { randomUUID } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { TemplateError, validateTemplate } from '../../templates';
import { checkVerificationCertificate, inspectCaCertificate } from '../certificate-checks';
import { alreadyExists, invalidRequest, iotError } from '../errors';
import { registeredCertificateDescription } from '../records';
import { paginate, requireOneOf, validateTags } from '../validation';
import type { ControlPlaneContext } from './context';

/** "At most 10 CA certificates with the same subject per account and Region" (RegisterCACertificate). */
const MAX_CAS_PER_SUBJECT = 10;

export async function getRegistrationCode(
  ctx: ControlPlaneContext,
  _input: Iot.GetRegistrationCodeRequest = {},
): Promise<Iot.GetRegistrationCodeResponse> {
  ctx.throttle('GetRegistrationCode');
  return { registrationCode: ctx.registrationCode };
}

export async function registerCACertificate(
  ctx: ControlPlaneContext,
  input: Iot.RegisterCACertificateRequest,
): Promise<Iot.RegisterCACertificateResponse> {
  ctx.throttle('RegisterCACertificate');
  const mode = requireOneOf(input.certificateMode, ['DEFAULT', 'SNI_ONLY'] as const, 'certificateMode', 'DEFAULT');
  const tags = validateTags(input.tags);
  const now = ctx.registry.date();
  const info = await inspectCaCertificate(input.caCertificate, now);
  const caPem = input.caCertificate as string;
  if (mode === 'DEFAULT') {
    await checkVerificationCertificate(input.verificationCertificate, caPem, ctx.registrationCode);
  }
  // State checks after the last await, so concurrent registrations cannot both pass them.
  const registrationConfig = checkRegistrationConfig(ctx, input.registrationConfig);
  const certificateArn = ctx.registry.arns.arn('cacert', info.certificateId);
  if (ctx.registry.state.cas.has(info.certificateId)) {
    throw alreadyExists(`The CA certificate is already registered (id: ${info.certificateId})`, info.certificateId, certificateArn);
  }
  const sameSubject = [...ctx.registry.state.cas.values()].filter(ca => ca.subjectName === info.subjectName).length;
  if (sameSubject >= MAX_CAS_PER_SUBJECT) {
    throw iotError('LimitExceededException', `At most ${MAX_CAS_PER_SUBJECT} CA certificates with the same subject (${info.subjectName}) can be registered`);
  }
  ctx.registry.state.cas.set(info.certificateId, {
    certificateId: info.certificateId,
    certificateArn,
    certificatePem: caPem,
    status: input.setAsActive === true ? 'ACTIVE' : 'INACTIVE',
    autoRegistrationStatus: input.allowAutoRegistration === true ? 'ENABLE' : 'DISABLE',
    certificateMode: mode,
    registrationConfig,
    subjectName: info.subjectName,
    ownedBy: ctx.accountId,
    creationDate: now,
    lastModifiedDate: now,
    customerVersion: 1,
    generationId: randomUUID(),
    validity: { notBefore: info.notBefore, notAfter: info.notAfter },
  });
  ctx.registry.setTags(certificateArn, tags);
  return { certificateArn, certificateId: info.certificateId };
}

export async function describeCACertificate(
  ctx: ControlPlaneContext,
  input: Iot.DescribeCACertificateRequest,
): Promise<Iot.DescribeCACertificateResponse> {
  ctx.throttle('DescribeCACertificate');
  const ca = ctx.registry.requireCa(input.certificateId);
  return {
    certificateDescription: { ...registeredCertificateDescription(ca), status: ca.status, autoRegistrationStatus: ca.autoRegistrationStatus },
    registrationConfig: ca.registrationConfig ? { ...ca.registrationConfig } : undefined,
  };
}

/**
 * newStatus ACTIVE | INACTIVE, newAutoRegistrationStatus ENABLE | DISABLE, a new registrationConfig
 * (JITP template), or removeAutoRegistration: true to drop the registrationConfig.
 */
export async function updateCACertificate(ctx: ControlPlaneContext, input: Iot.UpdateCACertificateRequest): Promise<Record<string, never>> {
  ctx.throttle('UpdateCACertificate');
  const ca = ctx.registry.requireCa(input.certificateId);
  const status = input.newStatus === undefined ? undefined : requireOneOf(input.newStatus, ['ACTIVE', 'INACTIVE'] as const, 'newStatus');
  const autoRegistration = input.newAutoRegistrationStatus === undefined
    ? undefined
    : requireOneOf(input.newAutoRegistrationStatus, ['ENABLE', 'DISABLE'] as const, 'newAutoRegistrationStatus');
  if (input.removeAutoRegistration === true && input.registrationConfig !== undefined) {
    throw invalidRequest('registrationConfig and removeAutoRegistration cannot be used together');
  }
  const registrationConfig = checkRegistrationConfig(ctx, input.registrationConfig);
  if (status) ca.status = status;
  if (autoRegistration) ca.autoRegistrationStatus = autoRegistration;
  if (registrationConfig) ca.registrationConfig = registrationConfig;
  if (input.removeAutoRegistration === true) delete ca.registrationConfig;
  ctx.registry.touch(ca);
  return {};
}

export async function listCACertificates(
  ctx: ControlPlaneContext,
  input: Iot.ListCACertificatesRequest = {},
): Promise<Iot.ListCACertificatesResponse> {
  ctx.throttle('ListCACertificates');
  let cas = [...ctx.registry.state.cas.values()];
  if (input.templateName !== undefined) cas = cas.filter(ca => ca.registrationConfig?.templateName === input.templateName);
  if (input.ascendingOrder !== true) cas.reverse();
  const { page, next } = paginate(cas, input.pageSize, input.marker);
  return {
    certificates: page.map(ca => ({
      certificateArn: ca.certificateArn, certificateId: ca.certificateId, status: ca.status, creationDate: ca.creationDate,
    })),
    nextMarker: next,
  };
}

/**
 * Only an INACTIVE CA may be deleted (CertificateStateException otherwise). Device certificates it
 * signed stay registered, as on AWS (the API reference names no other refusal).
 */
export async function deleteCACertificate(ctx: ControlPlaneContext, input: Iot.DeleteCACertificateRequest): Promise<Iot.DeleteCACertificateResponse> {
  ctx.throttle('DeleteCACertificate');
  const ca = ctx.registry.requireCa(input.certificateId);
  if (ca.status !== 'INACTIVE') {
    throw iotError('CertificateStateException', `The CA certificate must be INACTIVE before it can be deleted (id: ${ca.certificateId})`);
  }
  ctx.registry.state.cas.delete(ca.certificateId);
  ctx.registry.state.tags.delete(ca.certificateArn);
  return {};
}

/** RegistrationConfig checks shared by RegisterCACertificate and UpdateCACertificate. */
function checkRegistrationConfig(ctx: ControlPlaneContext, config: Iot.RegistrationConfig | undefined): Iot.RegistrationConfig | undefined {
  if (config === undefined) return undefined;
  if (typeof config !== 'object' || config === null) throw invalidRequest('registrationConfig must be an object');
  const { templateBody, roleArn, templateName } = config;
  if (templateName !== undefined) {
    if (templateBody !== undefined || roleArn !== undefined) throw invalidRequest('registrationConfig takes either templateName or templateBody and roleArn');
    const template = ctx.registry.requireTemplate(templateName);
    if (template.type !== 'JITP') throw invalidRequest(`Template ${templateName} is not a JITP template`);
    return { templateName };
  }
  if (templateBody === undefined) return undefined;
  if (typeof roleArn !== 'string' || !roleArn.startsWith('arn:')) throw invalidRequest('registrationConfig.roleArn (the role AWS IoT provisions with) is required with a templateBody');
  try {
    validateTemplate(templateBody, 'JITP');
  } catch (error) {
    if (error instanceof TemplateError) throw invalidRequest(`Invalid registration template. ${error.message}`);
    throw error;
  }
  return { templateBody, roleArn };
}
