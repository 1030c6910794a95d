/** Policy operations: create, get, delete, and attaching policies to certificates and thing groups. */
import type * as Iot from '@aws-sdk/client-iot';
import { alreadyExists, iotError } from '../errors';
import { checkPolicyDocument, paginate, POLICY_NAME, requireName, unique, validateTags } from '../validation';
import type { ControlPlaneContext } from './context';

export async function createPolicy(ctx: ControlPlaneContext, input: Iot.CreatePolicyRequest): Promise<Iot.CreatePolicyResponse> {
  ctx.throttle('CreatePolicy');
  const policyName = requireName(input.policyName, POLICY_NAME, 'policyName');
  const document = checkPolicyDocument(input.policyDocument);
  const tags = validateTags(input.tags);
  const existing = ctx.registry.state.policies.get(policyName);
  if (existing) throw alreadyExists(`Policy ${policyName} already exists`, policyName, existing.policyArn);
  const policy = ctx.registry.addPolicy(policyName, document);
  ctx.registry.setTags(policy.policyArn, tags);
  return { policyName, policyArn: policy.policyArn, policyDocument: document, policyVersionId: '1' };
}

export async function getPolicy(ctx: ControlPlaneContext, input: Iot.GetPolicyRequest): Promise<Iot.GetPolicyResponse> {
  ctx.throttle('GetPolicy');
  const policy = ctx.registry.requirePolicy(input.policyName);
  return {
    policyName: policy.policyName,
    policyArn: policy.policyArn,
    policyDocument: policy.policyDocument,
    defaultVersionId: '1',
    creationDate: policy.creationDate,
    lastModifiedDate: policy.lastModifiedDate,
    generationId: policy.generationId,
  };
}

/** Refused while the policy is attached to anything (DeleteConflictException). */
export async function deletePolicy(ctx: ControlPlaneContext, input: Iot.DeletePolicyRequest): Promise<Record<string, never>> {
  ctx.throttle('DeletePolicy');
  const policy = ctx.registry.requirePolicy(input.policyName);
  if ([...ctx.registry.state.policyTargets.values()].some(names => names.includes(policy.policyName))) {
    throw iotError('DeleteConflictException', `The policy cannot be deleted as the policy is attached to one or more principals (name=${policy.policyName})`);
  }
  ctx.registry.state.policies.delete(policy.policyName);
  ctx.registry.state.tags.delete(policy.policyArn);
  return {};
}

/** Target: a certificate ARN or a thing group ARN. Idempotent; at most 10 policies per target. */
export async function attachPolicy(ctx: ControlPlaneContext, input: Iot.AttachPolicyRequest): Promise<Record<string, never>> {
  ctx.throttle('AttachPolicy');
  const policy = ctx.registry.requirePolicy(input.policyName);
  const target = ctx.registry.requirePolicyTarget(input.target);
  ctx.registry.attachPolicyTo(policy.policyName, target);
  return {};
}

export async function detachPolicy(ctx: ControlPlaneContext, input: Iot.DetachPolicyRequest): Promise<Record<string, never>> {
  ctx.throttle('DetachPolicy');
  const policy = ctx.registry.requirePolicy(input.policyName);
  const target = ctx.registry.requirePolicyTarget(input.target);
  const names = ctx.registry.state.policyTargets.get(target);
  if (names) ctx.registry.state.policyTargets.set(target, names.filter(name => name !== policy.policyName));
  return {};
}

/** With recursive: true on a thing group, the policies of its ancestors too. */
export async function listAttachedPolicies(
  ctx: ControlPlaneContext,
  input: Iot.ListAttachedPoliciesRequest,
): Promise<Iot.ListAttachedPoliciesResponse> {
  ctx.throttle('ListAttachedPolicies');
  const target = ctx.registry.requirePolicyTarget(input.target);
  const targets = [target];
  const parsed = ctx.registry.arns.parse(target);
  if (input.recursive === true && parsed?.kind === 'thinggroup') {
    targets.push(...ctx.registry.ancestorsOf(parsed.name).map(group => group.thingGroupArn));
  }
  const names = unique(targets.flatMap(t => ctx.registry.state.policyTargets.get(t) ?? []));
  const { page, next } = paginate(names, input.pageSize, input.marker);
  return { policies: page.map(policyName => ({ policyName, policyArn: ctx.registry.arns.arn('policy', policyName) })), nextMarker: next };
}
