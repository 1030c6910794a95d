import { randomUUID } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { invalidRequest } from './errors';
import type { ThingRecord } from './records';

/**
 * The event types of UpdateEventConfigurations / DescribeEventConfigurations (the API reference's
 * "Valid Keys"). Every one is disabled until the account enables it, as on AWS.
 */
export const EVENT_TYPES = [
  'THING', 'THING_GROUP', 'THING_TYPE', 'THING_GROUP_MEMBERSHIP', 'THING_GROUP_HIERARCHY', 'THING_TYPE_ASSOCIATION',
  'JOB', 'JOB_EXECUTION', 'POLICY', 'CERTIFICATE', 'CA_CERTIFICATE',
] as const satisfies readonly Iot.EventType[];

export type EventTypeName = (typeof EVENT_TYPES)[number];

/** One message AWS IoT itself publishes (on a `$aws/events/...` topic), its payload still an object. */
export interface IotEventMessage {
  readonly topic: string;
  readonly payload: Record<string, unknown>;
}

/**
 * Where the model's events go: the MQTT gateway's broker (QoS 0, no client), so subscribers and topic
 * rules see them. Plugged in with `model.setEventPublisher`; the model never imports the gateway.
 */
export type IotEventPublisher = (message: IotEventMessage) => void | Promise<void>;

/** What happened to a thing, as the registry event's `operation` and its topic's last level. */
export type ThingEventOperation = 'CREATED' | 'UPDATED' | 'DELETED';

/** `$aws/events/thing/<thingName>/created|updated|deleted` (registry events, AWS IoT developer guide). */
export function thingEventTopic(thingName: string, operation: ThingEventOperation): string {
  return `$aws/events/thing/${thingName}/${operation.toLowerCase()}`;
}

/**
 * The thing event's payload, field for field as the developer guide's "Registry events" documents it:
 * `eventType` "THING_EVENT", a unique `eventId`, `timestamp` in epoch milliseconds, the thing's
 * version after the change (its last one for DELETED), `thingTypeName` null without a type.
 */
export function thingEventPayload(operation: ThingEventOperation, thing: ThingRecord, accountId: string, now: number): Record<string, unknown> {
  return {
    eventType: 'THING_EVENT',
    eventId: randomUUID(),
    timestamp: now,
    operation,
    accountId,
    thingId: thing.thingId,
    thingName: thing.thingName,
    versionNumber: thing.version,
    thingTypeName: thing.thingTypeName ?? null,
    attributes: { ...thing.attributes },
  };
}

/** The account's event configurations (one per model: a model is one account and Region). */
export class EventConfigurations {
  private readonly enabled = new Map<EventTypeName, boolean>(EVENT_TYPES.map(type => [type, false]));
  private readonly creationDate: Date;
  private lastModifiedDate: Date;

  constructor(private readonly clock: () => number) {
    this.creationDate = new Date(clock());
    this.lastModifiedDate = this.creationDate;
  }

  isEnabled(type: EventTypeName): boolean {
    return this.enabled.get(type) === true;
  }

  /**
   * Sets the types named, leaves the others as they are. An unknown type, or a configuration that is
   * not `{Enabled: boolean}`, refuses the whole request (InvalidRequestException) and changes nothing.
   * A configuration without `Enabled` disables its type (the member's default is false).
   */
  update(configurations: unknown): void {
    if (configurations === undefined || configurations === null) return;
    if (typeof configurations !== 'object' || Array.isArray(configurations)) throw invalidRequest('eventConfigurations must be a map of event type to {Enabled}');
    const changes: [EventTypeName, boolean][] = [];
    for (const [type, configuration] of Object.entries(configurations)) {
      if (!(EVENT_TYPES as readonly string[]).includes(type)) {
        throw invalidRequest(`eventConfigurations: ${JSON.stringify(type)} is not an event type (${EVENT_TYPES.join(' | ')})`);
      }
      if (typeof configuration !== 'object' || configuration === null || Array.isArray(configuration)) {
        throw invalidRequest(`eventConfigurations.${type} must be {Enabled: boolean}`);
      }
      const enabled = (configuration as { Enabled?: unknown }).Enabled;
      if (enabled !== undefined && typeof enabled !== 'boolean') throw invalidRequest(`eventConfigurations.${type}.Enabled must be a boolean`);
      changes.push([type as EventTypeName, enabled === true]);
    }
    for (const [type, enabled] of changes) this.enabled.set(type, enabled);
    this.lastModifiedDate = new Date(this.clock());
  }

  /** Event type -> enabled, for a registry snapshot. */
  enabledTypes(): Record<EventTypeName, boolean> {
    return Object.fromEntries(EVENT_TYPES.map(type => [type, this.isEnabled(type)])) as Record<EventTypeName, boolean>;
  }

  /** Puts back what {@link enabledTypes} answered; unknown types are ignored. */
  restore(enabled: Readonly<Record<string, boolean>>): void {
    for (const type of EVENT_TYPES) this.enabled.set(type, enabled[type] === true);
  }

  describe(): Iot.DescribeEventConfigurationsResponse {
    return {
      eventConfigurations: Object.fromEntries(EVENT_TYPES.map(type => [type, { Enabled: this.isEnabled(type) }])),
      creationDate: new Date(this.creationDate.getTime()),
      lastModifiedDate: new Date(this.lastModifiedDate.getTime()),
    };
  }
}
