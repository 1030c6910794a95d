/** Thing, thing type and thing group operations. */
import { randomUUID } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { alreadyExists, invalidRequest, iotError, notFound } from '../errors';
import { deepCopy } from '../records';
import { paginate, requireName, sameRecord, THING_NAME, validateAttributes, validateTags } from '../validation';
import type { ControlPlaneContext } from './context';

/** A thing group hierarchy is at most 7 deep. */
const MAX_GROUP_DEPTH = 7;

/**
 * Idempotent for identical input (same thing type and attributes): answers with the existing
 * thing. The same name with anything different: ResourceAlreadyExistsException.
 */
export async function createThing(ctx: ControlPlaneContext, input: Iot.CreateThingRequest): Promise<Iot.CreateThingResponse> {
  ctx.throttle('CreateThing');
  const thingName = requireName(input.thingName, THING_NAME, 'thingName');
  if (input.billingGroupName !== undefined) throw notFound(`Billing group ${input.billingGroupName} does not exist`);
  const thingTypeName = input.thingTypeName === undefined ? undefined : ctx.registry.requireUsableThingType(input.thingTypeName).thingTypeName;
  const attributes = validateAttributes(input.attributePayload?.attributes, thingTypeName ? 50 : 3);
  const existing = ctx.registry.state.things.get(thingName);
  if (existing) {
    if (existing.thingTypeName === thingTypeName && sameRecord(existing.attributes, attributes)) {
      return { thingName, thingArn: existing.thingArn, thingId: existing.thingId };
    }
    throw alreadyExists(`Thing ${thingName} already exists in account with different attributes`, existing.thingId, existing.thingArn);
  }
  const thing = ctx.registry.addThing(thingName, thingTypeName, attributes);
  return { thingName, thingArn: thing.thingArn, thingId: thing.thingId };
}

export async function describeThing(ctx: ControlPlaneContext, input: Iot.DescribeThingRequest): Promise<Iot.DescribeThingResponse> {
  ctx.throttle('DescribeThing');
  const thing = ctx.registry.requireThing(input.thingName);
  return {
    defaultClientId: thing.thingName,
    thingName: thing.thingName,
    thingId: thing.thingId,
    thingArn: thing.thingArn,
    thingTypeName: thing.thingTypeName,
    attributes: { ...thing.attributes },
    version: thing.version,
  };
}

/**
 * Succeeds for a thing that does not exist (as AWS does). Refused with InvalidRequestException
 * while principals are attached, VersionConflictException when expectedVersion is stale.
 */
export async function deleteThing(ctx: ControlPlaneContext, input: Iot.DeleteThingRequest): Promise<Iot.DeleteThingResponse> {
  ctx.throttle('DeleteThing');
  const thingName = requireName(input.thingName, THING_NAME, 'thingName');
  const thing = ctx.registry.state.things.get(thingName);
  if (!thing) return {};
  if (input.expectedVersion !== undefined && input.expectedVersion !== thing.version) {
    throw iotError('VersionConflictException', `The version of thing ${thingName} is ${thing.version}, not ${input.expectedVersion}`);
  }
  if ((ctx.registry.state.thingPrincipals.get(thingName)?.size ?? 0) > 0) {
    throw invalidRequest(`Cannot delete. Thing ${thingName} is still attached to one or more principals`);
  }
  ctx.registry.state.things.delete(thingName);
  ctx.registry.state.thingPrincipals.delete(thingName);
  for (const members of ctx.registry.state.groupMembers.values()) members.delete(thingName);
  ctx.registry.state.tags.delete(thing.thingArn);
  ctx.registry.thingChanged('DELETED', thing);
  return {};
}

/**
 * Changes a thing's type and attributes; every successful call is a new version. `attributePayload`
 * replaces the attributes unless `merge` is true; either way an attribute given the empty value is
 * removed. `removeThingType` drops the type (not together with a `thingTypeName`). The attribute limit
 * is the one of the resulting thing (3 without a type, 50 with one). VersionConflictException when
 * `expectedVersion` is stale.
 */
export async function updateThing(ctx: ControlPlaneContext, input: Iot.UpdateThingRequest): Promise<Iot.UpdateThingResponse> {
  ctx.throttle('UpdateThing');
  const thing = ctx.registry.requireThing(input.thingName);
  if (input.removeThingType !== undefined && typeof input.removeThingType !== 'boolean') throw invalidRequest('removeThingType must be a boolean');
  if (input.removeThingType === true && input.thingTypeName !== undefined) {
    throw invalidRequest('Cannot specify both a thing type name and removeThingType');
  }
  if (input.expectedVersion !== undefined && input.expectedVersion !== thing.version) {
    throw iotError('VersionConflictException', `The version of thing ${thing.thingName} is ${thing.version}, not ${input.expectedVersion}`);
  }
  let thingTypeName = thing.thingTypeName;
  if (input.removeThingType === true) thingTypeName = undefined;
  else if (input.thingTypeName !== undefined) thingTypeName = ctx.registry.requireUsableThingType(input.thingTypeName).thingTypeName;
  const limit = thingTypeName ? 50 : 3;
  let attributes = thing.attributes;
  const payload = input.attributePayload;
  if (payload !== undefined) {
    if (payload.merge !== undefined && typeof payload.merge !== 'boolean') throw invalidRequest('attributePayload.merge must be a boolean');
    const given = validateAttributes(payload.attributes, Number.POSITIVE_INFINITY);
    const next: Record<string, string> = payload.merge === true ? { ...thing.attributes, ...given } : { ...given };
    attributes = Object.fromEntries(Object.entries(next).filter(([, value]) => value !== ''));
  }
  attributes = validateAttributes(attributes, limit);
  thing.thingTypeName = thingTypeName;
  thing.attributes = attributes;
  thing.version += 1;
  ctx.registry.thingChanged('UPDATED', thing);
  return {};
}

export async function listThings(ctx: ControlPlaneContext, input: Iot.ListThingsRequest = {}): Promise<Iot.ListThingsResponse> {
  ctx.throttle('ListThings');
  let things = [...ctx.registry.state.things.values()];
  if (input.thingTypeName !== undefined) things = things.filter(t => t.thingTypeName === input.thingTypeName);
  if (input.attributeName !== undefined) {
    const name = input.attributeName;
    things = things.filter(t => {
      const value = t.attributes[name];
      if (value === undefined) return false;
      if (input.attributeValue === undefined) return true;
      return input.usePrefixAttributeValue === true ? value.startsWith(input.attributeValue) : value === input.attributeValue;
    });
  }
  const { page, next } = paginate(things, input.maxResults, input.nextToken);
  return {
    things: page.map(t => ({
      thingName: t.thingName, thingTypeName: t.thingTypeName, thingArn: t.thingArn, attributes: { ...t.attributes }, version: t.version,
    })),
    nextToken: next,
  };
}

/** Idempotent for identical properties, ResourceAlreadyExistsException otherwise. */
export async function createThingType(ctx: ControlPlaneContext, input: Iot.CreateThingTypeRequest): Promise<Iot.CreateThingTypeResponse> {
  ctx.throttle('CreateThingType');
  const thingTypeName = requireName(input.thingTypeName, THING_NAME, 'thingTypeName');
  const properties = deepCopy(input.thingTypeProperties ?? {});
  const tags = validateTags(input.tags);
  const existing = ctx.registry.state.thingTypes.get(thingTypeName);
  if (existing) {
    if (sameRecord(existing.properties, properties)) {
      return { thingTypeName, thingTypeArn: existing.thingTypeArn, thingTypeId: existing.thingTypeId };
    }
    throw alreadyExists(`Thing type ${thingTypeName} already exists with different properties`, existing.thingTypeId, existing.thingTypeArn);
  }
  const thingTypeArn = ctx.registry.arns.arn('thingtype', thingTypeName);
  const thingTypeId = randomUUID();
  ctx.registry.state.thingTypes.set(thingTypeName, { thingTypeName, thingTypeArn, thingTypeId, properties, creationDate: ctx.registry.date() });
  ctx.registry.setTags(thingTypeArn, tags);
  return { thingTypeName, thingTypeArn, thingTypeId };
}

export async function describeThingType(ctx: ControlPlaneContext, input: Iot.DescribeThingTypeRequest): Promise<Iot.DescribeThingTypeResponse> {
  ctx.throttle('DescribeThingType');
  const type = ctx.registry.state.thingTypes.get(requireName(input.thingTypeName, THING_NAME, 'thingTypeName'));
  if (!type) throw notFound(`Thing type ${input.thingTypeName} does not exist`);
  return {
    thingTypeName: type.thingTypeName,
    thingTypeId: type.thingTypeId,
    thingTypeArn: type.thingTypeArn,
    thingTypeProperties: deepCopy(type.properties),
    thingTypeMetadata: { deprecated: false, creationDate: type.creationDate },
  };
}

/** Idempotent for identical parent and properties, ResourceAlreadyExistsException otherwise. */
export async function createThingGroup(ctx: ControlPlaneContext, input: Iot.CreateThingGroupRequest): Promise<Iot.CreateThingGroupResponse> {
  ctx.throttle('CreateThingGroup');
  const thingGroupName = requireName(input.thingGroupName, THING_NAME, 'thingGroupName');
  const tags = validateTags(input.tags);
  const properties = deepCopy(input.thingGroupProperties ?? {});
  if (properties.attributePayload?.attributes !== undefined) validateAttributes(properties.attributePayload.attributes, 50);
  const parent = input.parentGroupName === undefined ? undefined : ctx.registry.requireThingGroup(input.parentGroupName);
  if (parent && ctx.registry.ancestorsOf(parent.thingGroupName).length + 2 > MAX_GROUP_DEPTH) {
    throw invalidRequest(`A thing group hierarchy can be at most ${MAX_GROUP_DEPTH} levels deep`);
  }
  const existing = ctx.registry.state.thingGroups.get(thingGroupName);
  if (existing) {
    if (existing.parentGroupName === parent?.thingGroupName && sameRecord(existing.properties, properties)) {
      return { thingGroupName, thingGroupArn: existing.thingGroupArn, thingGroupId: existing.thingGroupId };
    }
    throw alreadyExists(`Thing group ${thingGroupName} already exists with different properties`, existing.thingGroupId, existing.thingGroupArn);
  }
  const thingGroupArn = ctx.registry.arns.arn('thinggroup', thingGroupName);
  const thingGroupId = randomUUID();
  ctx.registry.state.thingGroups.set(thingGroupName, {
    thingGroupName,
    thingGroupArn,
    thingGroupId,
    parentGroupName: parent?.thingGroupName,
    properties,
    creationDate: ctx.registry.date(),
    version: 1,
  });
  ctx.registry.state.groupMembers.set(thingGroupName, new Set());
  ctx.registry.setTags(thingGroupArn, tags);
  return { thingGroupName, thingGroupArn, thingGroupId };
}

export async function describeThingGroup(ctx: ControlPlaneContext, input: Iot.DescribeThingGroupRequest): Promise<Iot.DescribeThingGroupResponse> {
  ctx.throttle('DescribeThingGroup');
  const group = ctx.registry.requireThingGroup(input.thingGroupName);
  const ancestors = ctx.registry.ancestorsOf(group.thingGroupName).reverse();
  return {
    thingGroupName: group.thingGroupName,
    thingGroupId: group.thingGroupId,
    thingGroupArn: group.thingGroupArn,
    version: group.version,
    thingGroupProperties: deepCopy(group.properties),
    thingGroupMetadata: {
      parentGroupName: group.parentGroupName,
      rootToParentThingGroups: ancestors.map(a => ({ groupName: a.thingGroupName, groupArn: a.thingGroupArn })),
      creationDate: group.creationDate,
    },
  };
}

/** By name or ARN. Idempotent. A thing may be in at most 10 groups, and in one group of a hierarchy. */
export async function addThingToThingGroup(
  ctx: ControlPlaneContext,
  input: Iot.AddThingToThingGroupRequest,
): Promise<Iot.AddThingToThingGroupResponse> {
  ctx.throttle('AddThingToThingGroup');
  const groupName = input.thingGroupName ?? ctx.registry.nameFromArn(input.thingGroupArn, 'thinggroup', 'thingGroupArn');
  const thingName = input.thingName ?? ctx.registry.nameFromArn(input.thingArn, 'thing', 'thingArn');
  const group = ctx.registry.requireThingGroup(groupName);
  const thing = ctx.registry.requireThing(thingName);
  ctx.registry.joinGroups(thing.thingName, [group.thingGroupName], 'MERGE');
  return {};
}
