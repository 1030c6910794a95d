import { createHash } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { certificateIdOf, inspectCertificate } from '../../../lambda-assets/shared/pki';
import type { PlannedCertificate, ProvisioningPlan } from '../templates';
import type { AmazonIssuer } from './amazon-ca';
import { inspectDeviceCertificate } from './certificate-checks';
import { invalidRequest, iotError, notFound } from './errors';
import type { CertificateRecord, PolicyRecord, ThingRecord } from './records';
import type { Registry } from './registry';
import { checkPolicyDocument, requireName, requireOneOf, sameRecord, THING_NAME, validateAttributes } from './validation';

/** What applyProvisioningPlan is applied for. */
export interface ProvisioningContext {
  /**
   * The certificate the request is about: the device certificate of a JITP connect, or the
   * certificate a fleet-provisioning device got with its ownership token. A template's
   * `CertificateId` must name it.
   */
  readonly certificateId?: string;
}

/** What applyProvisioningPlan created, updated or attached. */
export interface ProvisioningOutcome {
  readonly thingName?: string;
  readonly thingArn?: string;
  readonly certificateId?: string;
  readonly certificateArn?: string;
  readonly certificatePem?: string;
  readonly policies: readonly { logicalId: string; policyName: string; policyArn: string }[];
  /** RegisterThing's resourceArns: `thing`, `certificate`, and one entry per policy under its logical id. */
  readonly resourceArns: Record<string, string>;
  readonly deviceConfiguration: Record<string, string>;
}

/**
 * The name AWS gives a template's inline policy: a hash of the document (40 upper-case hex
 * characters), so every device provisioned with the same document shares one policy.
 */
export function inlinePolicyName(document: string): string {
  return createHash('sha1').update(document).digest('hex').toUpperCase();
}

/** Statuses a template (or a registration) may give a certificate. */
export const REGISTRATION_STATUSES = ['ACTIVE', 'INACTIVE', 'REVOKED', 'PENDING_ACTIVATION'] as const;

type PreparedCertificate = { pem: string; caCertificateId?: string; certificateMode: Iot.CertificateMode };

/**
 * Applies what a provisioning template asked for, as one step (see IotModel.applyProvisioningPlan).
 * The certificate work that needs the PKI (async: checking a CertificatePem's issuer, signing a
 * CSR) happens first; then every registry change runs in one synchronous transaction, undone
 * as a whole if any part fails.
 */
export async function applyProvisioningPlan(
  registry: Registry,
  issuer: AmazonIssuer,
  plan: ProvisioningPlan,
  context: ProvisioningContext,
): Promise<ProvisioningOutcome> {
  const prepared = plan.certificate ? await prepareCertificate(registry, issuer, plan.certificate, context) : undefined;
  return registry.transaction(() => applyPlanNow(registry, plan, context, prepared));
}

function applyPlanNow(
  registry: Registry,
  plan: ProvisioningPlan,
  context: ProvisioningContext,
  prepared: PreparedCertificate | undefined,
): ProvisioningOutcome {
  const resourceArns: Record<string, string> = {};
  let certificate: CertificateRecord | undefined;
  if (plan.certificate) {
    certificate = applyPlannedCertificate(registry, plan.certificate, context, prepared);
    resourceArns.certificate = certificate.certificateArn;
  }
  let thing: ThingRecord | undefined;
  if (plan.thing) {
    const planned = plan.thing;
    const thingName = requireName(planned.thingName, THING_NAME, `Resources.${planned.logicalId} ThingName`);
    if (planned.billingGroup !== undefined) throw notFound(`Billing group ${planned.billingGroup} does not exist`);
    const existing = registry.state.things.get(thingName);
    const overrides = planned.overrideSettings;
    if (!existing) {
      const typeName = planned.thingTypeName === undefined ? undefined : registry.requireUsableThingType(planned.thingTypeName).thingTypeName;
      thing = registry.addThing(thingName, typeName, validateAttributes(planned.attributes, typeName ? 50 : 3));
    } else {
      thing = existing;
      overrideThing(registry, existing, planned.thingTypeName, planned.attributes, overrides.ThingTypeName, overrides.AttributePayload);
    }
    if (planned.thingGroups.length > 0 || overrides.ThingGroups === 'REPLACE') {
      const groups = planned.thingGroups.map(name => registry.requireThingGroup(name).thingGroupName);
      registry.joinGroups(thing.thingName, groups, existing ? overrides.ThingGroups ?? 'DO_NOTHING' : 'MERGE');
    }
    resourceArns.thing = thing.thingArn;
  }
  const policies: { logicalId: string; policyName: string; policyArn: string }[] = [];
  for (const planned of plan.policies) {
    let policy: PolicyRecord;
    if (planned.policyName !== undefined) {
      policy = registry.requirePolicy(planned.policyName);
    } else {
      const document = checkPolicyDocument(planned.policyDocument);
      const name = inlinePolicyName(document);
      policy = registry.state.policies.get(name) ?? registry.addPolicy(name, document);
    }
    policies.push({ logicalId: planned.logicalId, policyName: policy.policyName, policyArn: policy.policyArn });
    resourceArns[planned.logicalId] = policy.policyArn;
    if (certificate) registry.attachPolicyTo(policy.policyName, certificate.certificateArn);
  }
  if (thing && certificate) registry.attachPrincipalTo(thing.thingName, certificate.certificateArn, 'NON_EXCLUSIVE_THING');
  return {
    thingName: thing?.thingName,
    thingArn: thing?.thingArn,
    certificateId: certificate?.certificateId,
    certificateArn: certificate?.certificateArn,
    certificatePem: certificate?.certificatePem,
    policies,
    resourceArns,
    deviceConfiguration: { ...plan.deviceConfiguration },
  };
}

/** Resolves (and for a CSR, issues) a planned certificate's PEM before the registry is changed. */
async function prepareCertificate(
  registry: Registry,
  issuer: AmazonIssuer,
  planned: PlannedCertificate,
  context: ProvisioningContext,
): Promise<PreparedCertificate | undefined> {
  if (planned.certificateId !== undefined) {
    if (context.certificateId !== undefined && planned.certificateId !== context.certificateId) {
      throw invalidRequest(`Resources.${planned.logicalId}: CertificateId must be the certificate being provisioned (${context.certificateId})`);
    }
    return undefined;
  }
  if (context.certificateId !== undefined) {
    throw invalidRequest(`Resources.${planned.logicalId}: only the certificate being provisioned can be used (CertificateId: {"Ref": "AWS::IoT::Certificate::Id"})`);
  }
  if (planned.certificateSigningRequest !== undefined) {
    return { pem: await issuer.certifyCsr(planned.certificateSigningRequest), certificateMode: 'DEFAULT' };
  }
  if (planned.certificatePem !== undefined) {
    inspectDeviceCertificate(planned.certificatePem, `Resources.${planned.logicalId} CertificatePem`);
    const id = certificateIdOf(planned.certificatePem);
    if (registry.state.certificates.has(id)) return { pem: planned.certificatePem, certificateMode: 'DEFAULT' };
    const caId = await registry.issuingCaIdOf(planned.certificatePem, planned.caCertificatePem,
      (_name, message) => iotError('ResourceRegistrationFailureException', message));
    return { pem: planned.certificatePem, caCertificateId: caId, certificateMode: registry.state.cas.get(caId)?.certificateMode ?? 'DEFAULT' };
  }
  throw invalidRequest(`Resources.${planned.logicalId}: a certificate needs CertificateId, CertificatePem or CertificateSigningRequest`);
}

function applyPlannedCertificate(
  registry: Registry,
  planned: PlannedCertificate,
  context: ProvisioningContext,
  prepared: PreparedCertificate | undefined,
): CertificateRecord {
  const status = requireOneOf((planned.status ?? 'ACTIVE').toUpperCase(), REGISTRATION_STATUSES, `Resources.${planned.logicalId} Status`);
  let certificate: CertificateRecord | undefined;
  if (prepared) {
    const id = certificateIdOf(prepared.pem);
    certificate = registry.state.certificates.get(id);
    if (!certificate) {
      if (prepared.caCertificateId !== undefined && registry.state.cas.get(prepared.caCertificateId)?.status !== 'ACTIVE') {
        throw iotError('CertificateStateException', `The CA certificate ${prepared.caCertificateId} is not ACTIVE`);
      }
      return registry.addCertificate(prepared.pem, inspectCertificate(prepared.pem), status, {
        caCertificateId: prepared.caCertificateId, certificateMode: prepared.certificateMode,
      });
    }
  } else {
    const id = planned.certificateId ?? context.certificateId;
    certificate = id === undefined ? undefined : registry.state.certificates.get(id);
    if (!certificate) throw notFound(`Resources.${planned.logicalId}: certificate ${id} does not exist`);
  }
  const override = planned.overrideSettings.Status ?? 'REPLACE';
  if (certificate.status !== status) {
    if (override === 'FAIL') throw iotError('ConflictingResourceUpdateException', `Certificate ${certificate.certificateId} is ${certificate.status}, the template wants ${status}`);
    if (override === 'REPLACE') {
      if (certificate.status === 'REVOKED') throw iotError('CertificateStateException', `Certificate ${certificate.certificateId} is REVOKED`);
      certificate.status = status;
      registry.touch(certificate);
    }
  }
  return certificate;
}

function overrideThing(
  registry: Registry,
  thing: ThingRecord,
  thingTypeName: string | undefined,
  attributes: Readonly<Record<string, string>>,
  typeOverride: string | undefined,
  attributeOverride: string | undefined,
): void {
  let changed = false;
  if (thingTypeName !== undefined && thingTypeName !== thing.thingTypeName) {
    if (typeOverride === 'FAIL') throw iotError('ConflictingResourceUpdateException', `Thing ${thing.thingName} exists with thing type ${thing.thingTypeName ?? '(none)'}`);
    if (typeOverride === 'REPLACE') {
      thing.thingTypeName = registry.requireUsableThingType(thingTypeName).thingTypeName;
      changed = true;
    }
  }
  if (Object.keys(attributes).length > 0 && !sameRecord(thing.attributes, attributes)) {
    if (attributeOverride === 'FAIL') throw iotError('ConflictingResourceUpdateException', `Thing ${thing.thingName} exists with other attributes`);
    if (attributeOverride === 'MERGE' || attributeOverride === 'REPLACE') {
      const next = attributeOverride === 'MERGE' ? { ...thing.attributes, ...attributes } : { ...attributes };
      thing.attributes = validateAttributes(next, thing.thingTypeName ? 50 : 3);
      changed = true;
    }
  }
  if (changed) {
    thing.version += 1;
    registry.thingChanged('UPDATED', thing);
  }
}
