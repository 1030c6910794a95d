import type { CertificateMode, CertificateStatus, ProvisioningHook, RegistrationConfig, TemplateType, ThingGroupProperties, ThingPrincipalType, ThingTypeProperties } from '@aws-sdk/client-iot';

/** What AWS IoT keeps of any registered certificate, a device's or a CA's (Describe*Certificate). */
export interface RegisteredCertificate {
  readonly certificateId: string;
  readonly certificateArn: string;
  readonly certificatePem: string;
  readonly certificateMode: CertificateMode;
  readonly ownedBy: string;
  readonly creationDate: Date;
  lastModifiedDate: Date;
  customerVersion: number;
  generationId: string;
  readonly validity: { readonly notBefore: Date; readonly notAfter: Date };
}

/** Registry state of one device certificate (DescribeCertificate). */
export interface CertificateRecord extends RegisteredCertificate {
  status: CertificateStatus;
  /** The registered CA that signed it; absent for AWS-issued and CA-less certificates. */
  readonly caCertificateId?: string;
  /** CreateProvisioningClaim certificates: the end of the claim's five minutes. */
  readonly claimExpiration?: Date;
  /** CreateProvisioningClaim certificates: the template the claim may provision with. */
  readonly claimTemplateName?: string;
}

/** Registry state of one CA certificate (DescribeCACertificate). */
export interface CaRecord extends RegisteredCertificate {
  status: 'ACTIVE' | 'INACTIVE';
  autoRegistrationStatus: 'ENABLE' | 'DISABLE';
  /** JITP: the template (inline with its role, or by name) AWS IoT runs for new device certificates. */
  registrationConfig?: RegistrationConfig;
  /** Subject DN text, for the "10 CAs with the same subject" limit. */
  readonly subjectName: string;
}

/** The members DescribeCertificate and DescribeCACertificate both answer, from either record. */
export function registeredCertificateDescription(record: RegisteredCertificate): RegisteredCertificate {
  return {
    certificateArn: record.certificateArn,
    certificateId: record.certificateId,
    certificatePem: record.certificatePem,
    certificateMode: record.certificateMode,
    ownedBy: record.ownedBy,
    creationDate: record.creationDate,
    lastModifiedDate: record.lastModifiedDate,
    customerVersion: record.customerVersion,
    generationId: record.generationId,
    validity: { ...record.validity },
  };
}

export interface ThingRecord {
  readonly thingName: string;
  readonly thingArn: string;
  readonly thingId: string;
  thingTypeName?: string;
  attributes: Record<string, string>;
  version: number;
}

export interface ThingTypeRecord {
  readonly thingTypeName: string;
  readonly thingTypeArn: string;
  readonly thingTypeId: string;
  readonly properties: ThingTypeProperties;
  readonly creationDate: Date;
}

export interface ThingGroupRecord {
  readonly thingGroupName: string;
  readonly thingGroupArn: string;
  readonly thingGroupId: string;
  readonly parentGroupName?: string;
  readonly properties: ThingGroupProperties;
  readonly creationDate: Date;
  version: number;
}

export interface PolicyRecord {
  readonly policyName: string;
  readonly policyArn: string;
  readonly policyDocument: string;
  readonly creationDate: Date;
  readonly lastModifiedDate: Date;
  readonly generationId: string;
}

export interface TemplateRecord {
  readonly templateName: string;
  readonly templateArn: string;
  readonly description?: string;
  readonly templateBody: string;
  readonly enabled: boolean;
  readonly provisioningRoleArn: string;
  readonly preProvisioningHook?: ProvisioningHook;
  readonly type: TemplateType;
  readonly creationDate: Date;
  readonly lastModifiedDate: Date;
}

/**
 * Everything the registry holds. Plain Maps, Sets, arrays and Dates only, so {@link deepCopy}
 * copies it whole: multi-step operations (applying a provisioning plan) snapshot it first and
 * put the snapshot back if a step fails, leaving nothing half-made.
 */
export interface RegistryState {
  readonly cas: Map<string, CaRecord>;
  readonly certificates: Map<string, CertificateRecord>;
  readonly things: Map<string, ThingRecord>;
  readonly thingTypes: Map<string, ThingTypeRecord>;
  readonly thingGroups: Map<string, ThingGroupRecord>;
  readonly policies: Map<string, PolicyRecord>;
  readonly templates: Map<string, TemplateRecord>;
  /** Policy attachments: target ARN (certificate or thing group) -> policy names, in attach order. */
  readonly policyTargets: Map<string, string[]>;
  /** Thing principals: thing name -> principal (certificate ARN) -> attachment type. */
  readonly thingPrincipals: Map<string, Map<string, ThingPrincipalType>>;
  /** Thing group members: group name -> thing names. */
  readonly groupMembers: Map<string, Set<string>>;
  /** Tags by resource ARN. */
  readonly tags: Map<string, Map<string, string>>;
}

export function emptyRegistryState(): RegistryState {
  return {
    cas: new Map(),
    certificates: new Map(),
    things: new Map(),
    thingTypes: new Map(),
    thingGroups: new Map(),
    policies: new Map(),
    templates: new Map(),
    policyTargets: new Map(),
    thingPrincipals: new Map(),
    groupMembers: new Map(),
    tags: new Map(),
  };
}

/**
 * A deep copy of registry data: plain objects, arrays, Maps, Sets and Dates (what records hold).
 * Not `structuredClone`: that builds its objects in the realm that defined it, which under a test
 * runner's sandbox is not the caller's, so the copies would fail `instanceof Date`.
 */
export function deepCopy<T>(value: T): T {
  return copy(value) as T;
}

function copy(value: unknown): unknown {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return new Date(value.getTime());
  if (Array.isArray(value)) return value.map(copy);
  if (value instanceof Map) return new Map([...value].map(([key, entry]) => [key, copy(entry)]));
  if (value instanceof Set) return new Set([...value].map(copy));
  const result: Record<string, unknown> = {};
  for (const [key, entry] of Object.entries(value)) result[key] = copy(entry);
  return result;
}
