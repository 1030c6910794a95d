/** Thing principal operations: attaching certificates to things, and listing either side. */
import type * as Iot from '@aws-sdk/client-iot';
import { paginate, requireOneOf, requireString } from '../validation';
import type { ControlPlaneContext } from './context';

/**
 * thingPrincipalType NON_EXCLUSIVE_THING (default) or EXCLUSIVE_THING. A certificate attached
 * exclusively to one thing cannot be attached to another, and one attached to several things
 * cannot be attached exclusively (InvalidRequestException).
 */
export async function attachThingPrincipal(
  ctx: ControlPlaneContext,
  input: Iot.AttachThingPrincipalRequest,
): Promise<Iot.AttachThingPrincipalResponse> {
  ctx.throttle('AttachThingPrincipal');
  const thing = ctx.registry.requireThing(input.thingName);
  const principal = ctx.registry.requirePrincipal(input.principal);
  const type = requireOneOf(input.thingPrincipalType, ['EXCLUSIVE_THING', 'NON_EXCLUSIVE_THING'] as const, 'thingPrincipalType', 'NON_EXCLUSIVE_THING');
  ctx.registry.attachPrincipalTo(thing.thingName, principal, type);
  return {};
}

export async function detachThingPrincipal(
  ctx: ControlPlaneContext,
  input: Iot.DetachThingPrincipalRequest,
): Promise<Iot.DetachThingPrincipalResponse> {
  ctx.throttle('DetachThingPrincipal');
  const thing = ctx.registry.requireThing(input.thingName);
  const principal = requireString(input.principal, 'principal');
  ctx.registry.state.thingPrincipals.get(thing.thingName)?.delete(principal);
  return {};
}

export async function listThingPrincipals(ctx: ControlPlaneContext, input: Iot.ListThingPrincipalsRequest): Promise<Iot.ListThingPrincipalsResponse> {
  ctx.throttle('ListThingPrincipals');
  const thing = ctx.registry.requireThing(input.thingName);
  const principals = [...(ctx.registry.state.thingPrincipals.get(thing.thingName)?.keys() ?? [])];
  const { page, next } = paginate(principals, input.maxResults, input.nextToken);
  return { principals: page, nextToken: next };
}

export async function listPrincipalThings(ctx: ControlPlaneContext, input: Iot.ListPrincipalThingsRequest): Promise<Iot.ListPrincipalThingsResponse> {
  ctx.throttle('ListPrincipalThings');
  const principal = ctx.registry.requirePrincipal(input.principal);
  const { page, next } = paginate(ctx.registry.thingsOfPrincipal(principal), input.maxResults, input.nextToken);
  return { things: page, nextToken: next };
}
