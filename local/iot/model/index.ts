/**
 * The AWS IoT service model of the local cloud: registry state and AWS IoT's rules, no HTTP.
 * local/iot/http puts the REST wire protocol in front of it; the MQTT gateway calls its
 * gateway-facing methods directly.
 */
export { IotControlPlane } from './control-plane';
export { IotModel } from './iot-model';
export type {
  IotModelOptions,
  PreProvisioningHookInvoker,
  PreProvisioningHookPayload,
  ProvisioningContext,
  ProvisioningOutcome,
  ProvisioningRoleAuthorizer,
  ProvisioningRoleDecision,
  ProvisioningRoleRequest,
} from './iot-model';
export { EVENT_TYPES, thingEventTopic } from './events';
export type { EventTypeName, IotEventMessage, IotEventPublisher, ThingEventOperation } from './events';
export { IotServiceError, EXCEPTION_STATUS } from './errors';
export type { IotExceptionName } from './errors';
export { DEFAULT_RATE_LIMITS } from './rate-limits';
export type { CaRecord, CertificateRecord, ThingRecord } from './records';
export { decodeRegistryState, SNAPSHOT_FORMAT } from './registry-snapshot';
export type { RegistrySnapshot } from './registry-snapshot';
