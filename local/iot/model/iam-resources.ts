import type { ArnBuilder } from './arns';

/**
 * The resource ARNs IAM checks for one AWS IoT operation, computed from the request's bound input
 * (path labels, query, headers and body members, before the model has seen them).
 */
export type ResourcesOf = (input: Readonly<Record<string, unknown>>, arns: ArnBuilder) => readonly string[];

/** For operations whose row in the AWS IoT actions table has no resource type: only `"Resource": "*"` grants them. */
const ANY_RESOURCE: ResourcesOf = () => ['*'];

/**
 * A member that names the resource. When it is missing (a malformed request the model would refuse),
 * the action is checked on `*`: only a grant on every resource covers it, so a missing name can never
 * slip past a statement limited to some ARNs.
 */
function member(input: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = input[name];
  return typeof value === 'string' && value.length > 0 ? value : undefined;
}

/** The ARN of a resource named by the input member `name`. */
function named(kind: Parameters<ArnBuilder['arn']>[0], name: string): ResourcesOf {
  return (input, arns) => {
    const value = member(input, name);
    return [value === undefined ? '*' : arns.arn(kind, value)];
  };
}

/** A member that already is an ARN (a certificate or thing group target, a tagged resource), taken as given. */
function givenArn(name: string): ResourcesOf {
  return input => [member(input, name) ?? '*'];
}

/** A resource given either as an ARN member or as a name member (AddThingToThingGroup accepts both). */
function arnOrName(kind: Parameters<ArnBuilder['arn']>[0], arnMember: string, nameMember: string): ResourcesOf {
  return (input, arns) => {
    const arn = member(input, arnMember);
    if (arn !== undefined) return [arn];
    const name = member(input, nameMember);
    return [name === undefined ? '*' : arns.arn(kind, name)];
  };
}

/**
 * AttachPolicy and DetachPolicy. The service authorization reference lists the target's resource
 * type (`cert` or `thinggroup`); the IoT developer guide and AWS's own managed policies also name
 * the policy. We authorize both the target (as given: a certificate or thing group ARN) and
 * `policy/<policyName>`: the stricter reading, so a role that works locally also works on AWS,
 * and it is what this library's constructs grant (`cert/*` and the device policy's ARN).
 */
const TARGET_AND_POLICY: ResourcesOf = (input, arns) => [...givenArn('target')(input, arns), ...named('policy', 'policyName')(input, arns)];

/**
 * CreateThingGroup: the new group, and its parent when one is named (the developer guide's
 * "thing group being created and parent group, if used").
 */
const GROUP_AND_PARENT: ResourcesOf = (input, arns) => {
  const parent = member(input, 'parentGroupName');
  return [...named('thinggroup', 'thingGroupName')(input, arns), ...(parent === undefined ? [] : [arns.arn('thinggroup', parent)])];
};

/**
 * Operation -> the resources its `iot:<Operation>` action is checked on, after the AWS IoT table in
 * "Actions, resources, and condition keys for AWS IoT" (Service Authorization Reference). Every
 * route in ROUTES has an entry (a test enforces it), so a new route cannot go unauthorized.
 */
export const IAM_RESOURCES: Readonly<Record<string, ResourcesOf>> = {
  // CA certificates: a CA's id is assigned at registration, so registering has no resource to name.
  GetRegistrationCode: ANY_RESOURCE,
  RegisterCACertificate: ANY_RESOURCE,
  DescribeCACertificate: named('cacert', 'certificateId'),
  UpdateCACertificate: named('cacert', 'certificateId'),
  DeleteCACertificate: named('cacert', 'certificateId'),
  ListCACertificates: ANY_RESOURCE,
  // Device certificates: likewise, creating or registering one has no ARN yet.
  RegisterCertificate: ANY_RESOURCE,
  RegisterCertificateWithoutCA: ANY_RESOURCE,
  CreateKeysAndCertificate: ANY_RESOURCE,
  CreateCertificateFromCsr: ANY_RESOURCE,
  ListCertificates: ANY_RESOURCE,
  ListCertificatesByCA: ANY_RESOURCE,
  DescribeCertificate: named('cert', 'certificateId'),
  UpdateCertificate: named('cert', 'certificateId'),
  DeleteCertificate: named('cert', 'certificateId'),
  // Things, thing types, thing groups.
  CreateThing: named('thing', 'thingName'),
  DescribeThing: named('thing', 'thingName'),
  UpdateThing: named('thing', 'thingName'),
  DeleteThing: named('thing', 'thingName'),
  ListThings: ANY_RESOURCE,
  // RegisterThing's template decides the resources; AWS checks the action alone.
  RegisterThing: ANY_RESOURCE,
  CreateThingType: named('thingtype', 'thingTypeName'),
  DescribeThingType: named('thingtype', 'thingTypeName'),
  CreateThingGroup: GROUP_AND_PARENT,
  DescribeThingGroup: named('thinggroup', 'thingGroupName'),
  AddThingToThingGroup: (input, arns) => [
    ...arnOrName('thinggroup', 'thingGroupArn', 'thingGroupName')(input, arns),
    ...arnOrName('thing', 'thingArn', 'thingName')(input, arns),
  ],
  // Policies.
  CreatePolicy: named('policy', 'policyName'),
  GetPolicy: named('policy', 'policyName'),
  DeletePolicy: named('policy', 'policyName'),
  AttachPolicy: TARGET_AND_POLICY,
  DetachPolicy: TARGET_AND_POLICY,
  ListAttachedPolicies: givenArn('target'),
  // Thing principals: the reference names the thing (not the certificate) for these.
  AttachThingPrincipal: named('thing', 'thingName'),
  DetachThingPrincipal: named('thing', 'thingName'),
  ListThingPrincipals: named('thing', 'thingName'),
  // The principal (a certificate ARN) whose things are listed.
  ListPrincipalThings: givenArn('principal'),
  DescribeEndpoint: ANY_RESOURCE,
  // Event configurations are the account's: the actions table names no resource type for them.
  UpdateEventConfigurations: ANY_RESOURCE,
  DescribeEventConfigurations: ANY_RESOURCE,
  // Provisioning templates.
  CreateProvisioningTemplate: named('provisioningtemplate', 'templateName'),
  ListProvisioningTemplates: ANY_RESOURCE,
  DescribeProvisioningTemplate: named('provisioningtemplate', 'templateName'),
  DeleteProvisioningTemplate: named('provisioningtemplate', 'templateName'),
  CreateProvisioningClaim: named('provisioningtemplate', 'templateName'),
  // Tags: the tagged resource, as the caller names it.
  TagResource: givenArn('resourceArn'),
  UntagResource: givenArn('resourceArn'),
  ListTagsForResource: givenArn('resourceArn'),
};

/**
 * Operations the local control plane does not serve, but that AWS IoT may perform with a provisioning
 * role (JITP, fleet provisioning): the same table, kept apart so that IAM_RESOURCES stays exactly the
 * served routes. Empty since UpdateThing is served; kept so the next such operation has its place.
 */
export const UNROUTED_IAM_RESOURCES: Readonly<Record<string, ResourcesOf>> = {};

/**
 * The ARNs to authorize `iot:<operation>` on. An operation without an entry throws: better a 500
 * than serving a new route with no authorization.
 */
export function resourcesToAuthorize(operation: string, input: Readonly<Record<string, unknown>>, arns: ArnBuilder): readonly string[] {
  const resourcesOf = Object.prototype.hasOwnProperty.call(IAM_RESOURCES, operation) ? IAM_RESOURCES[operation] : undefined;
  if (resourcesOf === undefined) throw new Error(`No IAM resource mapping for iot:${operation}`);
  return resourcesOf(input, arns);
}

/**
 * Like {@link resourcesToAuthorize}, for any operation AWS IoT may perform on someone's behalf:
 * the served routes and {@link UNROUTED_IAM_RESOURCES}.
 */
export function resourcesOfAction(operation: string, input: Readonly<Record<string, unknown>>, arns: ArnBuilder): readonly string[] {
  if (Object.prototype.hasOwnProperty.call(UNROUTED_IAM_RESOURCES, operation)) return UNROUTED_IAM_RESOURCES[operation](input, arns);
  return resourcesToAuthorize(operation, input, arns);
}
