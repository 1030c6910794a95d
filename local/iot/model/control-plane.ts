import { randomBytes, randomUUID } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { inspectCertificate } from '../../../lambda-assets/shared/pki';
import { evaluateProvisioningTemplate, TEMPLATE_BODY_MAX_LENGTH, TemplateError, validateTemplate, type ProvisioningPlan } from '../templates';
import { AmazonIssuer } from './amazon-ca';
import { checkVerificationCertificate, inspectCaCertificate, inspectDeviceCertificate } from './certificate-checks';
import { alreadyExists, invalidRequest, iotError, IotServiceError, notFound } from './errors';
import { applyProvisioningPlan, REGISTRATION_STATUSES, type ProvisioningOutcome } from './provisioning';
import { RateLimiter } from './rate-limits';
import { deepCopy, type CertificateRecord } from './records';
import { Registry } from './registry';
import {
  checkPolicyDocument,
  paginate,
  POLICY_NAME,
  requireCertificateId,
  requireName,
  requireOneOf,
  requireString,
  sameRecord,
  stringMap,
  TEMPLATE_NAME,
  THING_NAME,
  unique,
  validateAttributes,
  validateTags,
} from './validation';

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
}


const CERTIFICATE_STATUSES = ['ACTIVE', 'INACTIVE', 'REVOKED', 'PENDING_TRANSFER', 'REGISTER_INACTIVE', 'PENDING_ACTIVATION'] as const;
const ENDPOINT_TYPES = ['iot:Data', 'iot:Data-ATS', 'iot:CredentialProvider', 'iot:Jobs'];
/** "At most 10 CA certificates with the same subject per account and Region" (RegisterCACertificate). */
const MAX_CAS_PER_SUBJECT = 10;
/** A thing group hierarchy is at most 7 deep. */
const MAX_GROUP_DEPTH = 7;
/** CreateProvisioningClaim: "a temporary claim certificate, valid 5 minutes". */
const CLAIM_LIFETIME_MS = 5 * 60 * 1000;
const HOOK_PAYLOAD_VERSION = '2020-04-01';

/**
 * The AWS IoT control-plane operations of the local cloud: one async method per operation, named
 * after it (`registerCACertificate`), taking and returning `@aws-sdk/client-iot`'s input and output
 * shapes and throwing {@link IotServiceError} with AWS's exception names; each call first takes a
 * token from its operation's rate limit. The HTTP layer (local/iot/http) only translates the wire
 * format. {@link IotModel} adds what the MQTT gateway needs.
 */
export class IotControlPlane {
  readonly accountId: string;
  readonly region: string;
  protected readonly registry: Registry;
  protected readonly issuer: AmazonIssuer;
  protected readonly clock: () => number;
  private readonly limiter: RateLimiter;
  private readonly endpoint: () => string;
  private readonly registrationCode: string;

  constructor(options: IotModelOptions = {}) {
    this.accountId = options.accountId ?? '123456789012';
    this.region = options.region ?? 'us-east-1';
    if (!/^\d{12}$/.test(this.accountId)) throw new Error(`accountId must be 12 digits, got ${JSON.stringify(this.accountId)}`);
    this.clock = options.now ?? Date.now;
    this.registry = new Registry(this.accountId, this.region, this.clock);
    this.issuer = new AmazonIssuer(this.clock);
    this.limiter = new RateLimiter(options.rateLimits ?? true, this.clock);
    const dataEndpoint = options.dataEndpoint ?? 'localhost:8883';
    this.endpoint = typeof dataEndpoint === 'function' ? dataEndpoint : () => dataEndpoint;
    // AWS's codes are 64 hex characters, stable per account and Region (until DeleteRegistrationCode).
    this.registrationCode = randomBytes(32).toString('hex');
  }

  /** Calls refused with ThrottlingException so far, per operation (for load tests and benchmarks). */
  throttledCalls(): Readonly<Record<string, number>> {
    return this.limiter.throttledCalls();
  }

  // ---------------------------------------------------------------- CA certificates

  async getRegistrationCode(_input: Iot.GetRegistrationCodeRequest = {}): Promise<Iot.GetRegistrationCodeResponse> {
    this.throttle('GetRegistrationCode');
    return { registrationCode: this.registrationCode };
  }

  async registerCACertificate(input: Iot.RegisterCACertificateRequest): Promise<Iot.RegisterCACertificateResponse> {
    this.throttle('RegisterCACertificate');
    const mode = requireOneOf(input.certificateMode, ['DEFAULT', 'SNI_ONLY'] as const, 'certificateMode', 'DEFAULT');
    const tags = validateTags(input.tags);
    const now = this.registry.date();
    const info = await inspectCaCertificate(input.caCertificate, now);
    const caPem = input.caCertificate as string;
    if (mode === 'DEFAULT') {
      await checkVerificationCertificate(input.verificationCertificate, caPem, this.registrationCode);
    }
    // State checks after the last await, so concurrent registrations cannot both pass them.
    const registrationConfig = this.checkRegistrationConfig(input.registrationConfig);
    const certificateArn = this.registry.arns.arn('cacert', info.certificateId);
    if (this.registry.state.cas.has(info.certificateId)) {
      throw alreadyExists(`The CA certificate is already registered (id: ${info.certificateId})`, info.certificateId, certificateArn);
    }
    const sameSubject = [...this.registry.state.cas.values()].filter(ca => ca.subjectName === info.subjectName).length;
    if (sameSubject >= MAX_CAS_PER_SUBJECT) {
      throw iotError('LimitExceededException', `At most ${MAX_CAS_PER_SUBJECT} CA certificates with the same subject (${info.subjectName}) can be registered`);
    }
    this.registry.state.cas.set(info.certificateId, {
      certificateId: info.certificateId,
      certificateArn,
      certificatePem: caPem,
      status: input.setAsActive === true ? 'ACTIVE' : 'INACTIVE',
      autoRegistrationStatus: input.allowAutoRegistration === true ? 'ENABLE' : 'DISABLE',
      certificateMode: mode,
      registrationConfig,
      subjectName: info.subjectName,
      ownedBy: this.accountId,
      creationDate: now,
      lastModifiedDate: now,
      customerVersion: 1,
      generationId: randomUUID(),
      validity: { notBefore: info.notBefore, notAfter: info.notAfter },
    });
    this.registry.setTags(certificateArn, tags);
    return { certificateArn, certificateId: info.certificateId };
  }

  async describeCACertificate(input: Iot.DescribeCACertificateRequest): Promise<Iot.DescribeCACertificateResponse> {
    this.throttle('DescribeCACertificate');
    const ca = this.registry.requireCa(input.certificateId);
    return {
      certificateDescription: {
        certificateArn: ca.certificateArn,
        certificateId: ca.certificateId,
        status: ca.status,
        certificatePem: ca.certificatePem,
        ownedBy: ca.ownedBy,
        creationDate: ca.creationDate,
        autoRegistrationStatus: ca.autoRegistrationStatus,
        lastModifiedDate: ca.lastModifiedDate,
        customerVersion: ca.customerVersion,
        generationId: ca.generationId,
        validity: { ...ca.validity },
        certificateMode: ca.certificateMode,
      },
      registrationConfig: ca.registrationConfig ? { ...ca.registrationConfig } : undefined,
    };
  }

  /**
   * newStatus ACTIVE | INACTIVE, newAutoRegistrationStatus ENABLE | DISABLE, a new registrationConfig
   * (JITP template), or removeAutoRegistration: true to drop the registrationConfig.
   */
  async updateCACertificate(input: Iot.UpdateCACertificateRequest): Promise<Record<string, never>> {
    this.throttle('UpdateCACertificate');
    const ca = this.registry.requireCa(input.certificateId);
    const status = input.newStatus === undefined ? undefined : requireOneOf(input.newStatus, ['ACTIVE', 'INACTIVE'] as const, 'newStatus');
    const autoRegistration = input.newAutoRegistrationStatus === undefined
      ? undefined
      : requireOneOf(input.newAutoRegistrationStatus, ['ENABLE', 'DISABLE'] as const, 'newAutoRegistrationStatus');
    if (input.removeAutoRegistration === true && input.registrationConfig !== undefined) {
      throw invalidRequest('registrationConfig and removeAutoRegistration cannot be used together');
    }
    const registrationConfig = this.checkRegistrationConfig(input.registrationConfig);
    if (status) ca.status = status;
    if (autoRegistration) ca.autoRegistrationStatus = autoRegistration;
    if (registrationConfig) ca.registrationConfig = registrationConfig;
    if (input.removeAutoRegistration === true) delete ca.registrationConfig;
    this.registry.touch(ca);
    return {};
  }

  async listCACertificates(input: Iot.ListCACertificatesRequest = {}): Promise<Iot.ListCACertificatesResponse> {
    this.throttle('ListCACertificates');
    let cas = [...this.registry.state.cas.values()];
    if (input.templateName !== undefined) cas = cas.filter(ca => ca.registrationConfig?.templateName === input.templateName);
    if (input.ascendingOrder !== true) cas.reverse();
    const { page, next } = paginate(cas, input.pageSize, input.marker);
    return {
      certificates: page.map(ca => ({
        certificateArn: ca.certificateArn, certificateId: ca.certificateId, status: ca.status, creationDate: ca.creationDate,
      })),
      nextMarker: next,
    };
  }

  /**
   * Only an INACTIVE CA may be deleted (CertificateStateException otherwise). Device certificates it
   * signed stay registered, as on AWS (the API reference names no other refusal).
   */
  async deleteCACertificate(input: Iot.DeleteCACertificateRequest): Promise<Iot.DeleteCACertificateResponse> {
    this.throttle('DeleteCACertificate');
    const ca = this.registry.requireCa(input.certificateId);
    if (ca.status !== 'INACTIVE') {
      throw iotError('CertificateStateException', `The CA certificate must be INACTIVE before it can be deleted (id: ${ca.certificateId})`);
    }
    this.registry.state.cas.delete(ca.certificateId);
    this.registry.state.tags.delete(ca.certificateArn);
    return {};
  }

  // ---------------------------------------------------------------- device certificates

  /**
   * Registers a device certificate signed by a registered, ACTIVE CA: the one given as
   * caCertificatePem, or else the registered CA whose key signed it. Status: `status`, else
   * ACTIVE with setAsActive, else INACTIVE.
   */
  async registerCertificate(input: Iot.RegisterCertificateRequest): Promise<Iot.RegisterCertificateResponse> {
    this.throttle('RegisterCertificate');
    const info = inspectDeviceCertificate(input.certificatePem);
    const status = registrationStatus(input.status, input.setAsActive);
    const pem = input.certificatePem as string;
    const caId = await this.registry.issuingCaIdOf(pem, input.caCertificatePem, (name, message) => iotError(name, message));
    const ca = this.registry.state.cas.get(caId);
    if (!ca) throw iotError('CertificateValidationException', 'The CA certificate that signed the certificate is no longer registered');
    if (ca.status !== 'ACTIVE') {
      throw iotError('CertificateStateException', `The CA certificate ${ca.certificateId} is ${ca.status}; only an ACTIVE CA's certificates can be registered`);
    }
    const record = this.registry.addCertificate(pem, info, status, { caCertificateId: ca.certificateId, certificateMode: ca.certificateMode });
    return { certificateArn: record.certificateArn, certificateId: record.certificateId };
  }

  /** Registers a certificate whose CA is not registered (certificateMode SNI_ONLY). */
  async registerCertificateWithoutCA(input: Iot.RegisterCertificateWithoutCARequest): Promise<Iot.RegisterCertificateWithoutCAResponse> {
    this.throttle('RegisterCertificateWithoutCA');
    const info = inspectDeviceCertificate(input.certificatePem);
    const status = registrationStatus(input.status, undefined);
    const record = this.registry.addCertificate(input.certificatePem as string, info, status, { certificateMode: 'SNI_ONLY' });
    return { certificateArn: record.certificateArn, certificateId: record.certificateId };
  }

  /** A new RSA 2048 key pair and a certificate for it from the (local) Amazon issuing CA. */
  async createKeysAndCertificate(input: Iot.CreateKeysAndCertificateRequest = {}): Promise<Iot.CreateKeysAndCertificateResponse> {
    this.throttle('CreateKeysAndCertificate');
    const issued = await this.issuer.issueDeviceCertificateWithNewKey();
    const record = this.registry.addCertificate(issued.certificatePem, inspectCertificate(issued.certificatePem), input.setAsActive === true ? 'ACTIVE' : 'INACTIVE', {});
    return {
      certificateArn: record.certificateArn,
      certificateId: record.certificateId,
      certificatePem: record.certificatePem,
      keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
    };
  }

  /**
   * Certifies the key of a PKCS#10 CSR with the (local) Amazon issuing CA, keeping the requested
   * subject. A CSR that does not parse, whose signature does not verify, or whose key AWS IoT does
   * not accept is refused with InvalidRequestException.
   */
  async createCertificateFromCsr(input: Iot.CreateCertificateFromCsrRequest): Promise<Iot.CreateCertificateFromCsrResponse> {
    this.throttle('CreateCertificateFromCsr');
    const certificatePem = await this.issuer.certifyCsr(requireString(input.certificateSigningRequest, 'certificateSigningRequest'));
    const record = this.registry.addCertificate(certificatePem, inspectCertificate(certificatePem), input.setAsActive === true ? 'ACTIVE' : 'INACTIVE', {});
    return { certificateArn: record.certificateArn, certificateId: record.certificateId, certificatePem };
  }

  async describeCertificate(input: Iot.DescribeCertificateRequest): Promise<Iot.DescribeCertificateResponse> {
    this.throttle('DescribeCertificate');
    const certificate = this.registry.requireCertificate(input.certificateId);
    return {
      certificateDescription: {
        certificateArn: certificate.certificateArn,
        certificateId: certificate.certificateId,
        caCertificateId: certificate.caCertificateId,
        status: certificate.status,
        certificatePem: certificate.certificatePem,
        ownedBy: certificate.ownedBy,
        creationDate: certificate.creationDate,
        lastModifiedDate: certificate.lastModifiedDate,
        customerVersion: certificate.customerVersion,
        transferData: {},
        generationId: certificate.generationId,
        validity: { ...certificate.validity },
        certificateMode: certificate.certificateMode,
      },
    };
  }

  /**
   * ACTIVE, INACTIVE or REVOKED. PENDING_ACTIVATION and PENDING_TRANSFER are AWS IoT's own (only
   * registration sets PENDING_ACTIVATION) and REGISTER_INACTIVE is deprecated: InvalidRequestException.
   * A REVOKED certificate's status can't be changed any more: CertificateStateException.
   */
  async updateCertificate(input: Iot.UpdateCertificateRequest): Promise<Record<string, never>> {
    this.throttle('UpdateCertificate');
    const newStatus = requireOneOf(input.newStatus, CERTIFICATE_STATUSES, 'newStatus');
    if (newStatus === 'PENDING_ACTIVATION' || newStatus === 'PENDING_TRANSFER' || newStatus === 'REGISTER_INACTIVE') {
      throw invalidRequest(`The status cannot be set to ${newStatus}: ${newStatus === 'REGISTER_INACTIVE' ? 'it is deprecated' : 'AWS IoT sets it itself'}`);
    }
    const certificate = this.registry.requireCertificate(input.certificateId);
    if (certificate.status === newStatus) return {};
    if (certificate.status === 'REVOKED') {
      throw iotError('CertificateStateException', `Certificate ${certificate.certificateId} is REVOKED; a revoked certificate's status cannot be changed`);
    }
    if (certificate.status === 'PENDING_TRANSFER') {
      throw iotError('CertificateStateException', `Certificate ${certificate.certificateId} is being transferred`);
    }
    certificate.status = newStatus;
    this.registry.touch(certificate);
    return {};
  }

  /**
   * Refused while ACTIVE (CertificateStateException) or attached to a thing (DeleteConflictException);
   * attached policies refuse it too unless forceDelete, which detaches them.
   */
  async deleteCertificate(input: Iot.DeleteCertificateRequest): Promise<Record<string, never>> {
    this.throttle('DeleteCertificate');
    const certificate = this.registry.requireCertificate(input.certificateId);
    const arn = certificate.certificateArn;
    if (certificate.status === 'ACTIVE') {
      throw iotError('CertificateStateException', `Certificate must be deactivated (not ACTIVE) before deletion. Id: ${certificate.certificateId}`);
    }
    if (this.registry.thingsOfPrincipal(arn).length > 0) {
      throw iotError('DeleteConflictException', `Things must be detached before deletion (arn: ${arn})`);
    }
    if ((this.registry.state.policyTargets.get(arn) ?? []).length > 0 && input.forceDelete !== true) {
      throw iotError('DeleteConflictException', `Certificate policies must be detached before deletion (arn: ${arn})`);
    }
    this.registry.state.policyTargets.delete(arn);
    this.registry.state.certificates.delete(certificate.certificateId);
    this.certificateDeleted(certificate.certificateId);
    return {};
  }

  async listCertificatesByCA(input: Iot.ListCertificatesByCARequest): Promise<Iot.ListCertificatesByCAResponse> {
    this.throttle('ListCertificatesByCA');
    const caId = requireCertificateId(input.caCertificateId, 'caCertificateId');
    return this.listCertificatesWhere(c => c.caCertificateId === caId, input);
  }

  async listCertificates(input: Iot.ListCertificatesRequest = {}): Promise<Iot.ListCertificatesResponse> {
    this.throttle('ListCertificates');
    return this.listCertificatesWhere(() => true, input);
  }

  // ---------------------------------------------------------------- things, thing types, thing groups

  /**
   * Idempotent for identical input (same thing type and attributes): answers with the existing
   * thing. The same name with anything different: ResourceAlreadyExistsException.
   */
  async createThing(input: Iot.CreateThingRequest): Promise<Iot.CreateThingResponse> {
    this.throttle('CreateThing');
    const thingName = requireName(input.thingName, THING_NAME, 'thingName');
    if (input.billingGroupName !== undefined) throw notFound(`Billing group ${input.billingGroupName} does not exist`);
    const thingTypeName = input.thingTypeName === undefined ? undefined : this.registry.requireUsableThingType(input.thingTypeName).thingTypeName;
    const attributes = validateAttributes(input.attributePayload?.attributes, thingTypeName ? 50 : 3);
    const existing = this.registry.state.things.get(thingName);
    if (existing) {
      if (existing.thingTypeName === thingTypeName && sameRecord(existing.attributes, attributes)) {
        return { thingName, thingArn: existing.thingArn, thingId: existing.thingId };
      }
      throw alreadyExists(`Thing ${thingName} already exists in account with different attributes`, existing.thingId, existing.thingArn);
    }
    const thing = this.registry.addThing(thingName, thingTypeName, attributes);
    return { thingName, thingArn: thing.thingArn, thingId: thing.thingId };
  }

  async describeThing(input: Iot.DescribeThingRequest): Promise<Iot.DescribeThingResponse> {
    this.throttle('DescribeThing');
    const thing = this.registry.requireThing(input.thingName);
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
  async deleteThing(input: Iot.DeleteThingRequest): Promise<Iot.DeleteThingResponse> {
    this.throttle('DeleteThing');
    const thingName = requireName(input.thingName, THING_NAME, 'thingName');
    const thing = this.registry.state.things.get(thingName);
    if (!thing) return {};
    if (input.expectedVersion !== undefined && input.expectedVersion !== thing.version) {
      throw iotError('VersionConflictException', `The version of thing ${thingName} is ${thing.version}, not ${input.expectedVersion}`);
    }
    if ((this.registry.state.thingPrincipals.get(thingName)?.size ?? 0) > 0) {
      throw invalidRequest(`Cannot delete. Thing ${thingName} is still attached to one or more principals`);
    }
    this.registry.state.things.delete(thingName);
    this.registry.state.thingPrincipals.delete(thingName);
    for (const members of this.registry.state.groupMembers.values()) members.delete(thingName);
    this.registry.state.tags.delete(thing.thingArn);
    return {};
  }

  async listThings(input: Iot.ListThingsRequest = {}): Promise<Iot.ListThingsResponse> {
    this.throttle('ListThings');
    let things = [...this.registry.state.things.values()];
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
  async createThingType(input: Iot.CreateThingTypeRequest): Promise<Iot.CreateThingTypeResponse> {
    this.throttle('CreateThingType');
    const thingTypeName = requireName(input.thingTypeName, THING_NAME, 'thingTypeName');
    const properties = deepCopy(input.thingTypeProperties ?? {});
    const tags = validateTags(input.tags);
    const existing = this.registry.state.thingTypes.get(thingTypeName);
    if (existing) {
      if (sameRecord(existing.properties, properties)) {
        return { thingTypeName, thingTypeArn: existing.thingTypeArn, thingTypeId: existing.thingTypeId };
      }
      throw alreadyExists(`Thing type ${thingTypeName} already exists with different properties`, existing.thingTypeId, existing.thingTypeArn);
    }
    const thingTypeArn = this.registry.arns.arn('thingtype', thingTypeName);
    const thingTypeId = randomUUID();
    this.registry.state.thingTypes.set(thingTypeName, { thingTypeName, thingTypeArn, thingTypeId, properties, creationDate: this.registry.date() });
    this.registry.setTags(thingTypeArn, tags);
    return { thingTypeName, thingTypeArn, thingTypeId };
  }

  async describeThingType(input: Iot.DescribeThingTypeRequest): Promise<Iot.DescribeThingTypeResponse> {
    this.throttle('DescribeThingType');
    const type = this.registry.state.thingTypes.get(requireName(input.thingTypeName, THING_NAME, 'thingTypeName'));
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
  async createThingGroup(input: Iot.CreateThingGroupRequest): Promise<Iot.CreateThingGroupResponse> {
    this.throttle('CreateThingGroup');
    const thingGroupName = requireName(input.thingGroupName, THING_NAME, 'thingGroupName');
    const tags = validateTags(input.tags);
    const properties = deepCopy(input.thingGroupProperties ?? {});
    if (properties.attributePayload?.attributes !== undefined) validateAttributes(properties.attributePayload.attributes, 50);
    const parent = input.parentGroupName === undefined ? undefined : this.registry.requireThingGroup(input.parentGroupName);
    if (parent && this.registry.ancestorsOf(parent.thingGroupName).length + 2 > MAX_GROUP_DEPTH) {
      throw invalidRequest(`A thing group hierarchy can be at most ${MAX_GROUP_DEPTH} levels deep`);
    }
    const existing = this.registry.state.thingGroups.get(thingGroupName);
    if (existing) {
      if (existing.parentGroupName === parent?.thingGroupName && sameRecord(existing.properties, properties)) {
        return { thingGroupName, thingGroupArn: existing.thingGroupArn, thingGroupId: existing.thingGroupId };
      }
      throw alreadyExists(`Thing group ${thingGroupName} already exists with different properties`, existing.thingGroupId, existing.thingGroupArn);
    }
    const thingGroupArn = this.registry.arns.arn('thinggroup', thingGroupName);
    const thingGroupId = randomUUID();
    this.registry.state.thingGroups.set(thingGroupName, {
      thingGroupName,
      thingGroupArn,
      thingGroupId,
      parentGroupName: parent?.thingGroupName,
      properties,
      creationDate: this.registry.date(),
      version: 1,
    });
    this.registry.state.groupMembers.set(thingGroupName, new Set());
    this.registry.setTags(thingGroupArn, tags);
    return { thingGroupName, thingGroupArn, thingGroupId };
  }

  async describeThingGroup(input: Iot.DescribeThingGroupRequest): Promise<Iot.DescribeThingGroupResponse> {
    this.throttle('DescribeThingGroup');
    const group = this.registry.requireThingGroup(input.thingGroupName);
    const ancestors = this.registry.ancestorsOf(group.thingGroupName).reverse();
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
  async addThingToThingGroup(input: Iot.AddThingToThingGroupRequest): Promise<Iot.AddThingToThingGroupResponse> {
    this.throttle('AddThingToThingGroup');
    const groupName = input.thingGroupName ?? this.registry.nameFromArn(input.thingGroupArn, 'thinggroup', 'thingGroupArn');
    const thingName = input.thingName ?? this.registry.nameFromArn(input.thingArn, 'thing', 'thingArn');
    const group = this.registry.requireThingGroup(groupName);
    const thing = this.registry.requireThing(thingName);
    this.registry.joinGroups(thing.thingName, [group.thingGroupName], 'MERGE');
    return {};
  }

  // ---------------------------------------------------------------- policies

  async createPolicy(input: Iot.CreatePolicyRequest): Promise<Iot.CreatePolicyResponse> {
    this.throttle('CreatePolicy');
    const policyName = requireName(input.policyName, POLICY_NAME, 'policyName');
    const document = checkPolicyDocument(input.policyDocument);
    const tags = validateTags(input.tags);
    const existing = this.registry.state.policies.get(policyName);
    if (existing) throw alreadyExists(`Policy ${policyName} already exists`, policyName, existing.policyArn);
    const policy = this.registry.addPolicy(policyName, document);
    this.registry.setTags(policy.policyArn, tags);
    return { policyName, policyArn: policy.policyArn, policyDocument: document, policyVersionId: '1' };
  }

  async getPolicy(input: Iot.GetPolicyRequest): Promise<Iot.GetPolicyResponse> {
    this.throttle('GetPolicy');
    const policy = this.registry.requirePolicy(input.policyName);
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
  async deletePolicy(input: Iot.DeletePolicyRequest): Promise<Record<string, never>> {
    this.throttle('DeletePolicy');
    const policy = this.registry.requirePolicy(input.policyName);
    if ([...this.registry.state.policyTargets.values()].some(names => names.includes(policy.policyName))) {
      throw iotError('DeleteConflictException', `The policy cannot be deleted as the policy is attached to one or more principals (name=${policy.policyName})`);
    }
    this.registry.state.policies.delete(policy.policyName);
    this.registry.state.tags.delete(policy.policyArn);
    return {};
  }

  /** Target: a certificate ARN or a thing group ARN. Idempotent; at most 10 policies per target. */
  async attachPolicy(input: Iot.AttachPolicyRequest): Promise<Record<string, never>> {
    this.throttle('AttachPolicy');
    const policy = this.registry.requirePolicy(input.policyName);
    const target = this.registry.requirePolicyTarget(input.target);
    this.registry.attachPolicyTo(policy.policyName, target);
    return {};
  }

  async detachPolicy(input: Iot.DetachPolicyRequest): Promise<Record<string, never>> {
    this.throttle('DetachPolicy');
    const policy = this.registry.requirePolicy(input.policyName);
    const target = this.registry.requirePolicyTarget(input.target);
    const names = this.registry.state.policyTargets.get(target);
    if (names) this.registry.state.policyTargets.set(target, names.filter(name => name !== policy.policyName));
    return {};
  }

  /** With recursive: true on a thing group, the policies of its ancestors too. */
  async listAttachedPolicies(input: Iot.ListAttachedPoliciesRequest): Promise<Iot.ListAttachedPoliciesResponse> {
    this.throttle('ListAttachedPolicies');
    const target = this.registry.requirePolicyTarget(input.target);
    const targets = [target];
    const parsed = this.registry.arns.parse(target);
    if (input.recursive === true && parsed?.kind === 'thinggroup') {
      targets.push(...this.registry.ancestorsOf(parsed.name).map(group => group.thingGroupArn));
    }
    const names = unique(targets.flatMap(t => this.registry.state.policyTargets.get(t) ?? []));
    const { page, next } = paginate(names, input.pageSize, input.marker);
    return { policies: page.map(policyName => ({ policyName, policyArn: this.registry.arns.arn('policy', policyName) })), nextMarker: next };
  }

  // ---------------------------------------------------------------- thing principals

  /**
   * thingPrincipalType NON_EXCLUSIVE_THING (default) or EXCLUSIVE_THING. A certificate attached
   * exclusively to one thing cannot be attached to another, and one attached to several things
   * cannot be attached exclusively (InvalidRequestException).
   */
  async attachThingPrincipal(input: Iot.AttachThingPrincipalRequest): Promise<Iot.AttachThingPrincipalResponse> {
    this.throttle('AttachThingPrincipal');
    const thing = this.registry.requireThing(input.thingName);
    const principal = this.registry.requirePrincipal(input.principal);
    const type = requireOneOf(input.thingPrincipalType, ['EXCLUSIVE_THING', 'NON_EXCLUSIVE_THING'] as const, 'thingPrincipalType', 'NON_EXCLUSIVE_THING');
    this.registry.attachPrincipalTo(thing.thingName, principal, type);
    return {};
  }

  async detachThingPrincipal(input: Iot.DetachThingPrincipalRequest): Promise<Iot.DetachThingPrincipalResponse> {
    this.throttle('DetachThingPrincipal');
    const thing = this.registry.requireThing(input.thingName);
    const principal = requireString(input.principal, 'principal');
    this.registry.state.thingPrincipals.get(thing.thingName)?.delete(principal);
    return {};
  }

  async listThingPrincipals(input: Iot.ListThingPrincipalsRequest): Promise<Iot.ListThingPrincipalsResponse> {
    this.throttle('ListThingPrincipals');
    const thing = this.registry.requireThing(input.thingName);
    const principals = [...(this.registry.state.thingPrincipals.get(thing.thingName)?.keys() ?? [])];
    const { page, next } = paginate(principals, input.maxResults, input.nextToken);
    return { principals: page, nextToken: next };
  }

  async listPrincipalThings(input: Iot.ListPrincipalThingsRequest): Promise<Iot.ListPrincipalThingsResponse> {
    this.throttle('ListPrincipalThings');
    const principal = this.registry.requirePrincipal(input.principal);
    const { page, next } = paginate(this.registry.thingsOfPrincipal(principal), input.maxResults, input.nextToken);
    return { things: page, nextToken: next };
  }

  // ---------------------------------------------------------------- endpoint

  /**
   * iot:Data-ATS and iot:Data answer the local MQTT gateway's address (the `dataEndpoint` option);
   * there is no separate legacy or credentials endpoint locally, so iot:CredentialProvider and
   * iot:Jobs answer the same address.
   */
  async describeEndpoint(input: Iot.DescribeEndpointRequest = {}): Promise<Iot.DescribeEndpointResponse> {
    this.throttle('DescribeEndpoint');
    if (input.endpointType !== undefined) requireOneOf(input.endpointType, ENDPOINT_TYPES, 'endpointType');
    return { endpointAddress: this.endpoint() };
  }

  // ---------------------------------------------------------------- provisioning templates

  async createProvisioningTemplate(input: Iot.CreateProvisioningTemplateRequest): Promise<Iot.CreateProvisioningTemplateResponse> {
    this.throttle('CreateProvisioningTemplate');
    const templateName = requireName(input.templateName, TEMPLATE_NAME, 'templateName');
    const templateBody = requireString(input.templateBody, 'templateBody');
    const provisioningRoleArn = requireString(input.provisioningRoleArn, 'provisioningRoleArn');
    if (!provisioningRoleArn.startsWith('arn:')) throw invalidRequest('provisioningRoleArn must be an IAM role ARN');
    const type = requireOneOf(input.type, ['FLEET_PROVISIONING', 'JITP'] as const, 'type', 'FLEET_PROVISIONING');
    if (input.description !== undefined && input.description.length > 500) throw invalidRequest('description must be at most 500 characters');
    let preProvisioningHook: Iot.ProvisioningHook | undefined;
    if (input.preProvisioningHook !== undefined) {
      if (type !== 'FLEET_PROVISIONING') throw invalidRequest('A pre-provisioning hook can only be used with a FLEET_PROVISIONING template');
      preProvisioningHook = {
        targetArn: requireString(input.preProvisioningHook.targetArn, 'preProvisioningHook.targetArn'),
        payloadVersion: requireOneOf(input.preProvisioningHook.payloadVersion, [HOOK_PAYLOAD_VERSION], 'preProvisioningHook.payloadVersion', HOOK_PAYLOAD_VERSION),
      };
    }
    checkTemplate(templateBody, type);
    const tags = validateTags(input.tags);
    const templateArn = this.registry.arns.arn('provisioningtemplate', templateName);
    if (this.registry.state.templates.has(templateName)) throw alreadyExists(`Provisioning template ${templateName} already exists`, templateName, templateArn);
    const now = this.registry.date();
    this.registry.state.templates.set(templateName, {
      templateName,
      templateArn,
      description: input.description,
      templateBody,
      enabled: input.enabled === true,
      provisioningRoleArn,
      preProvisioningHook,
      type,
      creationDate: now,
      lastModifiedDate: now,
    });
    this.registry.setTags(templateArn, tags);
    return { templateArn, templateName, defaultVersionId: 1 };
  }

  async describeProvisioningTemplate(input: Iot.DescribeProvisioningTemplateRequest): Promise<Iot.DescribeProvisioningTemplateResponse> {
    this.throttle('DescribeProvisioningTemplate');
    const template = this.registry.requireTemplate(input.templateName);
    return {
      templateArn: template.templateArn,
      templateName: template.templateName,
      description: template.description,
      creationDate: template.creationDate,
      lastModifiedDate: template.lastModifiedDate,
      defaultVersionId: 1,
      templateBody: template.templateBody,
      enabled: template.enabled,
      provisioningRoleArn: template.provisioningRoleArn,
      preProvisioningHook: template.preProvisioningHook ? { ...template.preProvisioningHook } : undefined,
      type: template.type,
    };
  }

  async listProvisioningTemplates(input: Iot.ListProvisioningTemplatesRequest = {}): Promise<Iot.ListProvisioningTemplatesResponse> {
    this.throttle('ListProvisioningTemplates');
    const { page, next } = paginate([...this.registry.state.templates.values()], input.maxResults, input.nextToken);
    return {
      templates: page.map(t => ({
        templateArn: t.templateArn,
        templateName: t.templateName,
        description: t.description,
        creationDate: t.creationDate,
        lastModifiedDate: t.lastModifiedDate,
        enabled: t.enabled,
        type: t.type,
      })),
      nextToken: next,
    };
  }

  /** Refused while a CA's registrationConfig names the template (DeleteConflictException). */
  async deleteProvisioningTemplate(input: Iot.DeleteProvisioningTemplateRequest): Promise<Iot.DeleteProvisioningTemplateResponse> {
    this.throttle('DeleteProvisioningTemplate');
    const template = this.registry.requireTemplate(input.templateName);
    const user = [...this.registry.state.cas.values()].find(ca => ca.registrationConfig?.templateName === template.templateName);
    if (user) throw iotError('DeleteConflictException', `The template is used by CA certificate ${user.certificateId}`);
    this.registry.state.templates.delete(template.templateName);
    this.registry.state.tags.delete(template.templateArn);
    return {};
  }

  /**
   * A temporary claim certificate (trusted-user fleet provisioning): ACTIVE for five minutes, then
   * INACTIVE; it may only use the fleet-provisioning topics of this template (see
   * {@link IotModel.policyDocumentsOfPrincipal}).
   */
  async createProvisioningClaim(input: Iot.CreateProvisioningClaimRequest): Promise<Iot.CreateProvisioningClaimResponse> {
    this.throttle('CreateProvisioningClaim');
    const template = this.registry.requireTemplate(input.templateName);
    if (template.type !== 'FLEET_PROVISIONING') throw invalidRequest(`Template ${template.templateName} is not a FLEET_PROVISIONING template`);
    if (!template.enabled) throw invalidRequest(`Template ${template.templateName} is disabled`);
    const issued = await this.issuer.issueWithNewKey(() => CLAIM_LIFETIME_MS / (24 * 60 * 60 * 1000));
    const expiration = new Date(this.clock() + CLAIM_LIFETIME_MS);
    const record = this.registry.addCertificate(issued.certificatePem, inspectCertificate(issued.certificatePem), 'ACTIVE', {
      claimExpiration: expiration, claimTemplateName: template.templateName,
    });
    return {
      certificateId: record.certificateId,
      certificatePem: record.certificatePem,
      keyPair: { PublicKey: issued.publicKeyPem, PrivateKey: issued.privateKeyPem },
      expiration,
    };
  }

  /**
   * Runs a provisioning template (RegisterThing). Template errors: InvalidRequestException;
   * resources that cannot be made: ResourceRegistrationFailureException. Nothing is left
   * half-made when it fails.
   */
  async registerThing(input: Iot.RegisterThingRequest): Promise<Iot.RegisterThingResponse> {
    this.throttle('RegisterThing');
    const body = requireString(input.templateBody, 'templateBody');
    const parameters = stringMap(input.parameters ?? {}, 'parameters');
    let plan: ProvisioningPlan;
    try {
      plan = evaluateProvisioningTemplate(body, parameters);
    } catch (error) {
      if (error instanceof TemplateError) throw invalidRequest(error.message);
      throw error;
    }
    let outcome: ProvisioningOutcome;
    try {
      outcome = await applyProvisioningPlan(this.registry, this.issuer, plan, {});
    } catch (error) {
      if (error instanceof IotServiceError) throw iotError('ResourceRegistrationFailureException', error.message);
      throw error;
    }
    return { certificatePem: outcome.certificatePem, resourceArns: outcome.resourceArns };
  }

  // ---------------------------------------------------------------- tags

  /** Tags CA certificates, things, thing types, thing groups, policies and provisioning templates. */
  async tagResource(input: Iot.TagResourceRequest): Promise<Iot.TagResourceResponse> {
    this.throttle('TagResource');
    const arn = this.registry.requireTaggable(input.resourceArn);
    const tags = validateTags(input.tags);
    const current = this.registry.state.tags.get(arn) ?? new Map<string, string>();
    for (const tag of tags) current.set(tag.Key as string, tag.Value ?? '');
    if (current.size > 50) throw invalidRequest('a resource can have at most 50 tags');
    this.registry.state.tags.set(arn, current);
    return {};
  }

  async untagResource(input: Iot.UntagResourceRequest): Promise<Iot.UntagResourceResponse> {
    this.throttle('UntagResource');
    const arn = this.registry.requireTaggable(input.resourceArn);
    if (!Array.isArray(input.tagKeys)) throw invalidRequest('tagKeys is required');
    for (const key of input.tagKeys) this.registry.state.tags.get(arn)?.delete(key);
    return {};
  }

  async listTagsForResource(input: Iot.ListTagsForResourceRequest): Promise<Iot.ListTagsForResourceResponse> {
    this.throttle('ListTagsForResource');
    const arn = this.registry.requireTaggable(input.resourceArn);
    const tags = [...(this.registry.state.tags.get(arn)?.entries() ?? [])].map(([Key, Value]) => ({ Key, Value }));
    const { page, next } = paginate(tags, undefined, input.nextToken);
    return { tags: page, nextToken: next };
  }

  // ---------------------------------------------------------------- internals

  /** RegistrationConfig checks shared by RegisterCACertificate and UpdateCACertificate. */
  private checkRegistrationConfig(config: Iot.RegistrationConfig | undefined): Iot.RegistrationConfig | undefined {
    if (config === undefined) return undefined;
    if (typeof config !== 'object' || config === null) throw invalidRequest('registrationConfig must be an object');
    const { templateBody, roleArn, templateName } = config;
    if (templateName !== undefined) {
      if (templateBody !== undefined || roleArn !== undefined) throw invalidRequest('registrationConfig takes either templateName or templateBody and roleArn');
      const template = this.registry.requireTemplate(templateName);
      if (template.type !== 'JITP') throw invalidRequest(`Template ${templateName} is not a JITP template`);
      return { templateName };
    }
    if (templateBody === undefined) return undefined;
    if (typeof roleArn !== 'string' || !roleArn.startsWith('arn:')) throw invalidRequest('registrationConfig.roleArn (the role AWS IoT provisions with) is required with a templateBody');
    try {
      validateTemplate(templateBody, 'JITP');
    } catch (error) {
      if (error instanceof TemplateError) throw invalidRequest(`Invalid registration template. ${error.message}`);
      throw error;
    }
    return { templateBody, roleArn };
  }

  private listCertificatesWhere(
    keep: (certificate: CertificateRecord) => boolean,
    input: { pageSize?: number; marker?: string; ascendingOrder?: boolean },
  ): { certificates: Iot.Certificate[]; nextMarker?: string } {
    const certificates = [...this.registry.state.certificates.values()].filter(keep);
    if (input.ascendingOrder !== true) certificates.reverse();
    const { page, next } = paginate(certificates, input.pageSize, input.marker);
    return {
      certificates: page.map(c => ({
        certificateArn: c.certificateArn,
        certificateId: c.certificateId,
        status: this.registry.expireClaim(c).status,
        certificateMode: c.certificateMode,
        creationDate: c.creationDate,
      })),
      nextMarker: next,
    };
  }

  /** Called after DeleteCertificate removed a certificate, for state kept outside the registry. */
  protected certificateDeleted(_certificateId: string): void {}

  protected throttle(operation: string): void {
    this.limiter.take(operation);
  }
}

function registrationStatus(status: unknown, setAsActive: boolean | undefined): Iot.CertificateStatus {
  if (status !== undefined) return requireOneOf(status, REGISTRATION_STATUSES, 'status');
  return setAsActive === true ? 'ACTIVE' : 'INACTIVE';
}

function checkTemplate(body: string, kind: 'JITP' | 'FLEET_PROVISIONING'): void {
  if ([...body].length > TEMPLATE_BODY_MAX_LENGTH) throw invalidRequest(`templateBody must be at most ${TEMPLATE_BODY_MAX_LENGTH} characters`);
  try {
    validateTemplate(body, kind);
  } catch (error) {
    if (error instanceof TemplateError) throw invalidRequest(error.message);
    throw error;
  }
}
