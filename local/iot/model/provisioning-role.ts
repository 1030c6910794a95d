/**
 * What a provisioning plan asks of the provisioning role. JITP and fleet provisioning's RegisterThing
 * act as the role of the template (a CA's `registrationConfig.roleArn`, or a template's
 * `provisioningRoleArn`): AWS IoT assumes it and calls the control-plane APIs the template needs with
 * it. The calls are listed here as operations with their input, and each operation's IAM resources
 * come from the control plane's own table (./iam-resources), so a grant means the same thing to the
 * REST API and to provisioning.
 */
import { certificateIdOf } from '../../../lambda-assets/shared/pki';
import type { PlannedCertificate, PlannedThing, ProvisioningPlan } from '../templates';
import { resourcesOfAction } from './iam-resources';
import { inlinePolicyName, type ProvisioningContext } from './provisioning';
import type { Registry } from './registry';
import { sameRecord } from './validation';

/** One IAM check: `iot:<Operation>` on one resource ARN (`*` where AWS's table has no resource type). */
export interface ProvisioningRoleRequest {
  readonly action: string;
  readonly resource: string;
}

/** The answer of a {@link ProvisioningRoleAuthorizer}; `reason` is AWS's AccessDenied sentence when refused. */
export interface ProvisioningRoleDecision {
  readonly allowed: boolean;
  readonly reason: string;
}

/**
 * Decides whether AWS IoT may act as `roleArn` for a provisioning: the role exists, trusts
 * iot.amazonaws.com (sts:AssumeRole, with `sourceArn` as aws:SourceArn) and allows every request.
 * `sourceArn` is what AWS IoT provisions for: the template's ARN, or for a CA's inline JITP
 * templateBody the CA certificate's ARN.
 */
export type ProvisioningRoleAuthorizer = (
  roleArn: string,
  requests: readonly ProvisioningRoleRequest[],
  sourceArn: string,
) => ProvisioningRoleDecision | Promise<ProvisioningRoleDecision>;

type Call = readonly [operation: string, input: Readonly<Record<string, unknown>>];

/**
 * The IAM requests applying `plan` makes, in the order the changes are made, without duplicates:
 * certificate (DescribeCertificate, and UpdateCertificate when its status changes; RegisterCertificate
 * or CreateCertificateFromCsr for a new one), thing (CreateThing, or DescribeThing and UpdateThing
 * when the OverrideSettings let the template change it; DescribeThingType; AddThingToThingGroup),
 * policies (CreatePolicy for an inline document not yet made; AttachPolicy to the certificate) and
 * AttachThingPrincipal. Computed from the registry as it is, before anything is applied.
 */
export function provisioningRoleRequests(registry: Registry, plan: ProvisioningPlan, context: ProvisioningContext): ProvisioningRoleRequest[] {
  const calls: Call[] = [];
  const certificate = plan.certificate ? certificateCalls(registry, plan.certificate, context, calls) : undefined;
  if (plan.thing) thingCalls(registry, plan.thing, calls);
  for (const policy of plan.policies) {
    const policyName = policy.policyName ?? inlinePolicyName(policy.policyDocument ?? '');
    if (policy.policyName === undefined && !registry.state.policies.has(policyName)) calls.push(['CreatePolicy', { policyName }]);
    if (certificate) calls.push(['AttachPolicy', { policyName, ...certificate }]);
  }
  if (plan.thing && certificate) calls.push(['AttachThingPrincipal', { thingName: plan.thing.thingName, principal: certificate.target }]);

  const requests = new Map<string, ProvisioningRoleRequest>();
  for (const [operation, input] of calls) {
    for (const resource of resourcesOfAction(operation, input, registry.arns)) {
      const action = `iot:${operation}`;
      requests.set(`${action} ${resource}`, { action, resource });
    }
  }
  return [...requests.values()];
}

/** Adds the certificate's calls; answers the certificate as an AttachPolicy target (absent when its id is not known yet). */
function certificateCalls(registry: Registry, planned: PlannedCertificate, context: ProvisioningContext, calls: Call[]): { target?: string } {
  if (planned.certificateSigningRequest !== undefined) {
    calls.push(['CreateCertificateFromCsr', {}]);
    return {};
  }
  if (planned.certificatePem !== undefined) {
    calls.push(['RegisterCertificate', {}]);
    const id = idOf(planned.certificatePem);
    return id === undefined ? {} : { target: registry.arns.arn('cert', id) };
  }
  const certificateId = planned.certificateId ?? context.certificateId;
  if (certificateId === undefined) return {};
  calls.push(['DescribeCertificate', { certificateId }]);
  const current = registry.state.certificates.get(certificateId);
  const status = (planned.status ?? 'ACTIVE').toUpperCase();
  if (current?.status !== status && (planned.overrideSettings.Status ?? 'REPLACE') === 'REPLACE') {
    calls.push(['UpdateCertificate', { certificateId }]);
  }
  return { target: registry.arns.arn('cert', certificateId) };
}

function thingCalls(registry: Registry, planned: PlannedThing, calls: Call[]): void {
  const thingName = planned.thingName;
  const existing = registry.state.things.get(thingName);
  const overrides = planned.overrideSettings;
  if (!existing) {
    calls.push(['CreateThing', { thingName }]);
  } else {
    calls.push(['DescribeThing', { thingName }]);
    const typeChanges = planned.thingTypeName !== undefined && planned.thingTypeName !== existing.thingTypeName && overrides.ThingTypeName === 'REPLACE';
    const attributesChange = Object.keys(planned.attributes).length > 0 && !sameRecord(existing.attributes, planned.attributes)
      && (overrides.AttributePayload === 'MERGE' || overrides.AttributePayload === 'REPLACE');
    if (typeChanges || attributesChange) calls.push(['UpdateThing', { thingName }]);
  }
  if (planned.thingTypeName !== undefined) calls.push(['DescribeThingType', { thingTypeName: planned.thingTypeName }]);
  const joins = !existing || overrides.ThingGroups === 'MERGE' || overrides.ThingGroups === 'REPLACE';
  if (!joins) return;
  const current = new Set(registry.groupsOfThing(thingName).map(group => group.thingGroupName));
  for (const thingGroupName of planned.thingGroups) {
    if (!current.has(thingGroupName)) calls.push(['AddThingToThingGroup', { thingGroupName, thingName }]);
  }
}

function idOf(certificatePem: string): string | undefined {
  try {
    return certificateIdOf(certificatePem);
  } catch {
    return undefined;
  }
}
