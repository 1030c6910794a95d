import { randomBytes } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { AmazonIssuer } from './amazon-ca';
import { EventConfigurations, thingEventPayload, thingEventTopic, type IotEventPublisher, type ThingEventOperation } from './events';
import * as caCertificates from './operations/ca-certificates';
import * as certificates from './operations/certificates';
import type { ControlPlaneContext } from './operations/context';
import * as endpoint from './operations/endpoint';
import * as eventConfigurations from './operations/event-configurations';
import * as policies from './operations/policies';
import * as provisioningTemplates from './operations/provisioning-templates';
import * as tags from './operations/tags';
import * as thingPrincipals from './operations/thing-principals';
import * as things from './operations/things';
import { RateLimiter } from './rate-limits';
import type { ThingRecord } from './records';
import { Registry } from './registry';
import { decodeRegistryState, encodeRegistryState, SNAPSHOT_FORMAT, type RegistrySnapshot } from './registry-snapshot';

export interface IotModelOptions {
  /** Default '123456789012'. */
  readonly accountId?: string;
  /** Default 'us-east-1'. */
  readonly region?: string;
  /**
   * Per-operation rate limits of the control-plane operations: `true` (the default) for AWS's
   * default TPS (see DEFAULT_RATE_LIMITS), `false` for none, or TPS per operation name that
   * replace the defaults of those operations. The gateway-facing methods are never limited.
   */
  readonly rateLimits?: boolean | Partial<Record<string, number>>;
  /** Clock in epoch milliseconds; default Date.now. */
  readonly now?: () => number;
  /**
   * What DescribeEndpoint answers for the data endpoints (iot:Data-ATS, iot:Data), e.g.
   * 'localhost:8883', or a function asked on every call (for a port known only later).
   * Default 'localhost:8883'.
   */
  readonly dataEndpoint?: string | (() => string);
  /** How long a pre-provisioning hook may take; default 5000 ms, AWS's limit (tests shorten it). */
  readonly preProvisioningHookTimeoutMs?: number;
  /**
   * A registry to start from, as {@link IotControlPlane.snapshot} took it (the local cloud keeps one in its
   * state directory). It must be of the same account and Region.
   */
  readonly restoreFrom?: RegistrySnapshot;
}

/**
 * The AWS IoT control-plane operations of the local cloud: one method per operation, named after
 * it (`registerCACertificate`), taking and returning `@aws-sdk/client-iot`'s input and output
 * shapes and throwing {@link IotServiceError} with AWS's exception names; each call first takes a
 * token from its operation's rate limit. The HTTP layer (local/iot/http) only translates the wire
 * format. {@link IotModel} adds what the MQTT gateway needs.
 *
 * The operations themselves live in ./operations, one module per resource family, as functions of
 * a {@link ControlPlaneContext} (this instance's state) and the request; their comments say what
 * AWS IoT's rules are. This class only holds the state and delegates, one method per operation:
 * plain functions keep each family readable on its own and testable without a class, while these
 * explicit methods keep the public surface (what routes.ts and the gateway call, and what IotModel
 * inherits) typed and visible in one place, which mixins would hide. The context calls `throttle`
 * and `certificateDeleted` through `this`, so subclasses can still override them.
 */
export class IotControlPlane {
  readonly accountId: string;
  readonly region: string;
  protected readonly registry: Registry;
  protected readonly issuer: AmazonIssuer;
  protected readonly clock: () => number;
  /** The account's event configurations: every type disabled until UpdateEventConfigurations enables it. */
  protected readonly events: EventConfigurations;
  private eventPublisher?: IotEventPublisher;
  private readonly limiter: RateLimiter;
  private readonly endpoint: () => string;
  private readonly registrationCode: string;
  /** What the operation functions see of this instance (see ./operations/context.ts). */
  private readonly ops: ControlPlaneContext;

  constructor(options: IotModelOptions = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    if (!/^\d{12}$/.test(this.accountId)) throw new Error(`accountId must be 12 digits, got ${JSON.stringify(this.accountId)}`);
    this.clock = options.now ?? Date.now;
    this.registry = new Registry(this.accountId, this.region, this.clock);
    this.issuer = new AmazonIssuer(this.clock);
    this.events = new EventConfigurations(this.clock);
    this.registry.onThingChange = (operation, thing) => this.announceThing(operation, thing);
    this.limiter = new RateLimiter(options.rateLimits ?? true, this.clock);
    const dataEndpoint = options.dataEndpoint ?? 'localhost:8883';
    this.endpoint = typeof dataEndpoint === 'function' ? dataEndpoint : () => dataEndpoint;
    // AWS's codes are 64 hex characters, stable per account and Region (until DeleteRegistrationCode).
    this.registrationCode = randomBytes(32).toString('hex');
    if (options.restoreFrom) this.registrationCode = this.restore(options.restoreFrom);
    this.ops = {
      accountId: this.accountId,
      registry: this.registry,
      events: this.events,
      issuer: this.issuer,
      clock: this.clock,
      registrationCode: this.registrationCode,
      endpoint: this.endpoint,
      throttle: operation => this.throttle(operation),
      certificateDeleted: certificateId => this.certificateDeleted(certificateId),
    };
  }

  /**
   * Plugs in where AWS IoT's own event messages go (the MQTT gateway's broker, which topic rules
   * watch). Without one, enabled events go nowhere. A publisher's failure never fails the operation.
   */
  setEventPublisher(publisher: IotEventPublisher | undefined): void {
    this.eventPublisher = publisher;
  }

  /** Calls refused with ThrottlingException so far, per operation (for load tests and benchmarks). */
  throttledCalls(): Readonly<Record<string, number>> {
    return this.limiter.throttledCalls();
  }

  /** Calls let through by the rate limits so far, per operation (whether they then succeeded or not). */
  admittedCalls(): Readonly<Record<string, number>> {
    return this.limiter.admittedCalls();
  }

  /** The TPS limit an operation runs under, or undefined when the model runs without rate limits. */
  rateLimitOf(operation: string): number | undefined {
    return this.limiter.rateOf(operation);
  }

  /**
   * The whole registry, with the registration code and the event configurations, as JSON-able data
   * (a deep copy): what the local cloud writes to its state directory on close and reads on start.
   */
  snapshot(): RegistrySnapshot {
    return {
      format: SNAPSHOT_FORMAT,
      accountId: this.accountId,
      region: this.region,
      registrationCode: this.registrationCode,
      eventConfigurations: this.events.enabledTypes(),
      state: encodeRegistryState(this.registry.state),
    };
  }

  // ---------------------------------------------------------------- CA certificates (ca-certificates.ts)

  getRegistrationCode(input: Iot.GetRegistrationCodeRequest = {}): Promise<Iot.GetRegistrationCodeResponse> {
    return caCertificates.getRegistrationCode(this.ops, input);
  }
  registerCACertificate(input: Iot.RegisterCACertificateRequest): Promise<Iot.RegisterCACertificateResponse> {
    return caCertificates.registerCACertificate(this.ops, input);
  }
  describeCACertificate(input: Iot.DescribeCACertificateRequest): Promise<Iot.DescribeCACertificateResponse> {
    return caCertificates.describeCACertificate(this.ops, input);
  }
  updateCACertificate(input: Iot.UpdateCACertificateRequest): Promise<Record<string, never>> {
    return caCertificates.updateCACertificate(this.ops, input);
  }
  listCACertificates(input: Iot.ListCACertificatesRequest = {}): Promise<Iot.ListCACertificatesResponse> {
    return caCertificates.listCACertificates(this.ops, input);
  }
  deleteCACertificate(input: Iot.DeleteCACertificateRequest): Promise<Iot.DeleteCACertificateResponse> {
    return caCertificates.deleteCACertificate(this.ops, input);
  }

  // ---------------------------------------------------------------- device certificates (certificates.ts)

  registerCertificate(input: Iot.RegisterCertificateRequest): Promise<Iot.RegisterCertificateResponse> {
    return certificates.registerCertificate(this.ops, input);
  }
  registerCertificateWithoutCA(input: Iot.RegisterCertificateWithoutCARequest): Promise<Iot.RegisterCertificateWithoutCAResponse> {
    return certificates.registerCertificateWithoutCA(this.ops, input);
  }
  createKeysAndCertificate(input: Iot.CreateKeysAndCertificateRequest = {}): Promise<Iot.CreateKeysAndCertificateResponse> {
    return certificates.createKeysAndCertificate(this.ops, input);
  }
  createCertificateFromCsr(input: Iot.CreateCertificateFromCsrRequest): Promise<Iot.CreateCertificateFromCsrResponse> {
    return certificates.createCertificateFromCsr(this.ops, input);
  }
  describeCertificate(input: Iot.DescribeCertificateRequest): Promise<Iot.DescribeCertificateResponse> {
    return certificates.describeCertificate(this.ops, input);
  }
  updateCertificate(input: Iot.UpdateCertificateRequest): Promise<Record<string, never>> {
    return certificates.updateCertificate(this.ops, input);
  }
  deleteCertificate(input: Iot.DeleteCertificateRequest): Promise<Record<string, never>> {
    return certificates.deleteCertificate(this.ops, input);
  }
  listCertificatesByCA(input: Iot.ListCertificatesByCARequest): Promise<Iot.ListCertificatesByCAResponse> {
    return certificates.listCertificatesByCA(this.ops, input);
  }
  listCertificates(input: Iot.ListCertificatesRequest = {}): Promise<Iot.ListCertificatesResponse> {
    return certificates.listCertificates(this.ops, input);
  }

  // ---------------------------------------------------------------- things, thing types, thing groups (things.ts)

  createThing(input: Iot.CreateThingRequest): Promise<Iot.CreateThingResponse> {
    return things.createThing(this.ops, input);
  }
  describeThing(input: Iot.DescribeThingRequest): Promise<Iot.DescribeThingResponse> {
    return things.describeThing(this.ops, input);
  }
  updateThing(input: Iot.UpdateThingRequest): Promise<Iot.UpdateThingResponse> {
    return things.updateThing(this.ops, input);
  }
  deleteThing(input: Iot.DeleteThingRequest): Promise<Iot.DeleteThingResponse> {
    return things.deleteThing(this.ops, input);
  }
  listThings(input: Iot.ListThingsRequest = {}): Promise<Iot.ListThingsResponse> {
    return things.listThings(this.ops, input);
  }
  createThingType(input: Iot.CreateThingTypeRequest): Promise<Iot.CreateThingTypeResponse> {
    return things.createThingType(this.ops, input);
  }
  describeThingType(input: Iot.DescribeThingTypeRequest): Promise<Iot.DescribeThingTypeResponse> {
    return things.describeThingType(this.ops, input);
  }
  createThingGroup(input: Iot.CreateThingGroupRequest): Promise<Iot.CreateThingGroupResponse> {
    return things.createThingGroup(this.ops, input);
  }
  describeThingGroup(input: Iot.DescribeThingGroupRequest): Promise<Iot.DescribeThingGroupResponse> {
    return things.describeThingGroup(this.ops, input);
  }
  addThingToThingGroup(input: Iot.AddThingToThingGroupRequest): Promise<Iot.AddThingToThingGroupResponse> {
    return things.addThingToThingGroup(this.ops, input);
  }

  // ---------------------------------------------------------------- policies (policies.ts)

  createPolicy(input: Iot.CreatePolicyRequest): Promise<Iot.CreatePolicyResponse> {
    return policies.createPolicy(this.ops, input);
  }
  getPolicy(input: Iot.GetPolicyRequest): Promise<Iot.GetPolicyResponse> {
    return policies.getPolicy(this.ops, input);
  }
  deletePolicy(input: Iot.DeletePolicyRequest): Promise<Record<string, never>> {
    return policies.deletePolicy(this.ops, input);
  }
  attachPolicy(input: Iot.AttachPolicyRequest): Promise<Record<string, never>> {
    return policies.attachPolicy(this.ops, input);
  }
  detachPolicy(input: Iot.DetachPolicyRequest): Promise<Record<string, never>> {
    return policies.detachPolicy(this.ops, input);
  }
  listAttachedPolicies(input: Iot.ListAttachedPoliciesRequest): Promise<Iot.ListAttachedPoliciesResponse> {
    return policies.listAttachedPolicies(this.ops, input);
  }

  // ---------------------------------------------------------------- thing principals (thing-principals.ts)

  attachThingPrincipal(input: Iot.AttachThingPrincipalRequest): Promise<Iot.AttachThingPrincipalResponse> {
    return thingPrincipals.attachThingPrincipal(this.ops, input);
  }
  detachThingPrincipal(input: Iot.DetachThingPrincipalRequest): Promise<Iot.DetachThingPrincipalResponse> {
    return thingPrincipals.detachThingPrincipal(this.ops, input);
  }
  listThingPrincipals(input: Iot.ListThingPrincipalsRequest): Promise<Iot.ListThingPrincipalsResponse> {
    return thingPrincipals.listThingPrincipals(this.ops, input);
  }
  listPrincipalThings(input: Iot.ListPrincipalThingsRequest): Promise<Iot.ListPrincipalThingsResponse> {
    return thingPrincipals.listPrincipalThings(this.ops, input);
  }

  // ---------------------------------------------------------------- endpoint (endpoint.ts)

  describeEndpoint(input: Iot.DescribeEndpointRequest = {}): Promise<Iot.DescribeEndpointResponse> {
    return endpoint.describeEndpoint(this.ops, input);
  }

  // ---------------------------------------------------------------- provisioning templates (provisioning-templates.ts)

  createProvisioningTemplate(input: Iot.CreateProvisioningTemplateRequest): Promise<Iot.CreateProvisioningTemplateResponse> {
    return provisioningTemplates.createProvisioningTemplate(this.ops, input);
  }
  describeProvisioningTemplate(input: Iot.DescribeProvisioningTemplateRequest): Promise<Iot.DescribeProvisioningTemplateResponse> {
    return provisioningTemplates.describeProvisioningTemplate(this.ops, input);
  }
  listProvisioningTemplates(input: Iot.ListProvisioningTemplatesRequest = {}): Promise<Iot.ListProvisioningTemplatesResponse> {
    return provisioningTemplates.listProvisioningTemplates(this.ops, input);
  }
  deleteProvisioningTemplate(input: Iot.DeleteProvisioningTemplateRequest): Promise<Iot.DeleteProvisioningTemplateResponse> {
    return provisioningTemplates.deleteProvisioningTemplate(this.ops, input);
  }
  createProvisioningClaim(input: Iot.CreateProvisioningClaimRequest): Promise<Iot.CreateProvisioningClaimResponse> {
    return provisioningTemplates.createProvisioningClaim(this.ops, input);
  }
  registerThing(input: Iot.RegisterThingRequest): Promise<Iot.RegisterThingResponse> {
    return provisioningTemplates.registerThing(this.ops, input);
  }

  // ---------------------------------------------------------------- event configurations (event-configurations.ts)

  updateEventConfigurations(input: Iot.UpdateEventConfigurationsRequest = {}): Promise<Iot.UpdateEventConfigurationsResponse> {
    return eventConfigurations.updateEventConfigurations(this.ops, input);
  }
  describeEventConfigurations(input: Iot.DescribeEventConfigurationsRequest = {}): Promise<Iot.DescribeEventConfigurationsResponse> {
    return eventConfigurations.describeEventConfigurations(this.ops, input);
  }

  // ---------------------------------------------------------------- tags (tags.ts)

  tagResource(input: Iot.TagResourceRequest): Promise<Iot.TagResourceResponse> {
    return tags.tagResource(this.ops, input);
  }
  untagResource(input: Iot.UntagResourceRequest): Promise<Iot.UntagResourceResponse> {
    return tags.untagResource(this.ops, input);
  }
  listTagsForResource(input: Iot.ListTagsForResourceRequest): Promise<Iot.ListTagsForResourceResponse> {
    return tags.listTagsForResource(this.ops, input);
  }

  // ---------------------------------------------------------------- internals

  /** Called after DeleteCertificate removed a certificate, for state kept outside the registry. */
  protected certificateDeleted(_certificateId: string): void {}

  /**
   * A thing was created, updated or deleted (by an operation, JITP or a provisioning template): with
   * THING events enabled, its registry event goes to the publisher. Fire and forget, as AWS IoT's
   * events are: the operation has already succeeded.
   */
  private announceThing(operation: ThingEventOperation, thing: ThingRecord): void {
    if (!this.eventPublisher || !this.events.isEnabled('THING')) return;
    const topic = thingEventTopic(thing.thingName, operation);
    const message = { topic, payload: thingEventPayload(operation, thing, this.accountId, this.clock()) };
    try {
      Promise.resolve(this.eventPublisher(message)).catch(() => undefined);
    } catch {
      // a publisher that throws loses its event, never the operation
    }
  }

  protected throttle(operation: string): void {
    this.limiter.take(operation);
  }

  /** Takes the registry of a snapshot (checked first) and answers its registration code. */
  private restore(snapshot: RegistrySnapshot): string {
    if (snapshot?.format !== SNAPSHOT_FORMAT) throw new Error(`not a registry snapshot of this format (${SNAPSHOT_FORMAT})`);
    if (snapshot.accountId !== this.accountId || snapshot.region !== this.region) {
      throw new Error(`the registry snapshot is of account ${snapshot.accountId} in ${snapshot.region}, not ${this.accountId} in ${this.region}`);
    }
    if (!/^[0-9a-f]{64}$/.test(snapshot.registrationCode)) throw new Error('the registry snapshot has no valid registration code');
    this.registry.state = decodeRegistryState(snapshot.state);
    this.events.restore(snapshot.eventConfigurations ?? {});
    return snapshot.registrationCode;
  }
}
