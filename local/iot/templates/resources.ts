import { TemplateError } from './errors';
import type { Evaluator } from './evaluator';
import type { ResourceDeclaration, TemplateModel } from './model';
import type { CertificateOverrideSettings, PlannedCertificate, PlannedPolicy, PlannedThing, ThingOverrideSettings } from './plan';
import { CERTIFICATE, THING } from './resource-types';

/** Certificate statuses a template may set (the guide: "ACTIVE or INACTIVE"), compared without case: AWS accepts "Active". */
const CERTIFICATE_STATUSES = ['ACTIVE', 'INACTIVE'];

export interface PlannedResources {
  readonly thing?: PlannedThing;
  readonly certificate?: PlannedCertificate;
  readonly policies: readonly PlannedPolicy[];
}

/** Evaluates the resources whose condition holds (or that have none) into their part of the plan. */
export function planResources(model: TemplateModel, evaluator: Evaluator): PlannedResources {
  let thing: PlannedThing | undefined;
  let certificate: PlannedCertificate | undefined;
  const policies: PlannedPolicy[] = [];
  for (const resource of model.resources) {
    const where = `Resources.${resource.logicalId}`;
    if (resource.condition !== undefined && !evaluator.condition(resource.condition, `${where}.Condition`)) continue;
    if (resource.type === THING) {
      thing = planThing(resource, evaluator, `${where}.Properties`);
    } else if (resource.type === CERTIFICATE) {
      certificate = planCertificate(resource, evaluator, `${where}.Properties`);
    } else {
      policies.push(planPolicy(resource, evaluator, `${where}.Properties`));
    }
  }
  return { ...(thing && { thing }), ...(certificate && { certificate }), policies };
}

function planThing(resource: ResourceDeclaration, evaluator: Evaluator, where: string): PlannedThing {
  const properties = resource.properties;
  const thingTypeName = evaluator.optionalString(properties.ThingTypeName, `${where}.ThingTypeName`);
  const billingGroup = evaluator.optionalString(properties.BillingGroup, `${where}.BillingGroup`);
  return {
    logicalId: resource.logicalId,
    thingName: evaluator.requiredString(properties.ThingName, `${where}.ThingName`),
    ...(thingTypeName !== undefined && { thingTypeName }),
    thingGroups: [...new Set(evaluator.stringList(properties.ThingGroups ?? [], `${where}.ThingGroups`))],
    ...(billingGroup !== undefined && { billingGroup }),
    attributes: evaluator.stringMap(properties.AttributePayload ?? {}, `${where}.AttributePayload`, 'attribute values must be strings'),
    overrideSettings: resource.overrideSettings as ThingOverrideSettings,
  };
}

function planCertificate(resource: ResourceDeclaration, evaluator: Evaluator, where: string): PlannedCertificate {
  const properties = resource.properties;
  // The model has checked that exactly one way of naming the certificate is declared.
  const idProperty = properties.CertificateId !== undefined ? 'CertificateId' : 'CertificateID';
  const source = properties.CertificatePem !== undefined
    ? { certificatePem: evaluator.requiredString(properties.CertificatePem, `${where}.CertificatePem`) }
    : properties.CertificateSigningRequest !== undefined
      ? { certificateSigningRequest: evaluator.requiredString(properties.CertificateSigningRequest, `${where}.CertificateSigningRequest`) }
      : { certificateId: evaluator.requiredString(properties[idProperty], `${where}.${idProperty}`) };
  const caCertificatePem = evaluator.optionalString(properties.CACertificatePem, `${where}.CACertificatePem`);
  const status = evaluator.optionalString(properties.Status, `${where}.Status`)?.toUpperCase();
  if (status !== undefined && !CERTIFICATE_STATUSES.includes(status)) {
    throw new TemplateError(`${where}.Status must be ACTIVE or INACTIVE, not ${JSON.stringify(properties.Status)}`);
  }
  return {
    logicalId: resource.logicalId,
    ...source,
    ...(caCertificatePem !== undefined && { caCertificatePem }),
    ...(status !== undefined && { status }),
    overrideSettings: resource.overrideSettings as CertificateOverrideSettings,
  };
}

function planPolicy(resource: ResourceDeclaration, evaluator: Evaluator, where: string): PlannedPolicy {
  const properties = resource.properties;
  if (properties.PolicyName !== undefined) {
    return { logicalId: resource.logicalId, policyName: evaluator.requiredString(properties.PolicyName, `${where}.PolicyName`) };
  }
  const document = evaluator.value(properties.PolicyDocument, `${where}.PolicyDocument`);
  if (typeof document !== 'string') {
    throw new TemplateError(`${where}.PolicyDocument must be a JSON object specified as an escaped string`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch (error) {
    throw new TemplateError(`${where}.PolicyDocument is not valid JSON (${(error as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new TemplateError(`${where}.PolicyDocument must be a JSON object specified as an escaped string`);
  }
  return { logicalId: resource.logicalId, policyDocument: document };
}
