import { IoTClient, UpdateEventConfigurationsCommand } from '@aws-sdk/client-iot';
import type { CloudFormationCustomResourceEvent } from 'aws-lambda';
import type { Logger } from '../shared/logging/logger';

/** The one physical id: the setting is account- and Region-wide, so there is only ever one of it. */
export const PHYSICAL_RESOURCE_ID = 'iot-event-configuration';

/** AWS IoT registry event types this resource may turn on; THING is always on. */
export const REGISTRY_EVENT_TYPES = [
  'THING', 'THING_TYPE', 'THING_TYPE_ASSOCIATION', 'THING_GROUP', 'THING_GROUP_MEMBERSHIP', 'THING_GROUP_HIERARCHY',
] as const;
export type RegistryEventType = (typeof REGISTRY_EVENT_TYPES)[number];

export interface EventConfigurationResult {
  readonly PhysicalResourceId: string;
  readonly Data: { readonly EnabledEventTypes: string };
}

/**
 * Create/Update: turns on the registry events (THING plus the EventTypes property's) with
 * UpdateEventConfigurations, which leaves every other type as it is. Delete: changes nothing.
 */
export async function configureEvents(
  iot: IoTClient,
  logger: Logger,
  event: CloudFormationCustomResourceEvent,
): Promise<EventConfigurationResult> {
  if (event.RequestType === 'Delete') {
    // Registry events are one account-wide setting: other stacks, rules and tools in the account
    // may rely on them, and nothing tells us whether they were on before we came. So they stay on.
    logger.info('registry events left enabled on delete', { reason: 'account-wide setting others may rely on' });
    return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { EnabledEventTypes: '' } };
  }
  const types = eventTypesOf(event.ResourceProperties?.EventTypes);
  if (event.RequestType === 'Update') {
    const before = safeEventTypes(event.OldResourceProperties?.EventTypes);
    const dropped = before.filter((type) => !types.includes(type));
    // Same reason as on delete: a type dropped from the property is not turned off.
    if (dropped.length > 0) logger.info('registry event types dropped from the property stay enabled', { dropped });
  }
  const eventConfigurations = Object.fromEntries(types.map((type) => [type, { Enabled: true }]));
  await iot.send(new UpdateEventConfigurationsCommand({ eventConfigurations }));
  logger.info('registry events enabled', { eventTypes: types });
  return { PhysicalResourceId: PHYSICAL_RESOURCE_ID, Data: { EnabledEventTypes: types.join(',') } };
}

/** THING, then the listed types in AWS's order, each once. A bad value fails the deployment step with its message. */
export function eventTypesOf(value: unknown): RegistryEventType[] {
  if (value === undefined || value === null || value === '') return ['THING'];
  if (!Array.isArray(value)) throw new Error(`EventTypes must be a list of ${REGISTRY_EVENT_TYPES.join(', ')}`);
  for (const type of value) {
    if (!(REGISTRY_EVENT_TYPES as readonly unknown[]).includes(type)) {
      throw new Error(`EventTypes: '${String(type)}' is not a registry event type (${REGISTRY_EVENT_TYPES.join(', ')})`);
    }
  }
  return REGISTRY_EVENT_TYPES.filter((type) => type === 'THING' || value.includes(type));
}

function safeEventTypes(value: unknown): RegistryEventType[] {
  try {
    return eventTypesOf(value);
  } catch {
    return [];
  }
}
