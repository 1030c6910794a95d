/**
 * The result of running a provisioning template: what the registry must create, attach or update.
 * Pure data; the registry applies it (and owns "already exists" and OverrideSettings semantics).
 */

/** OverrideSettings value for a thing's attributes or groups. `FAIL` makes the request fail with ResourceConflictsException. */
export type MergeOverride = 'MERGE' | 'REPLACE' | 'DO_NOTHING' | 'FAIL';
/** OverrideSettings value for properties that cannot be merged (thing type, certificate status). */
export type ReplaceOverride = 'REPLACE' | 'DO_NOTHING' | 'FAIL';

export interface ThingOverrideSettings {
  readonly AttributePayload?: MergeOverride;
  readonly ThingTypeName?: ReplaceOverride;
  readonly ThingGroups?: MergeOverride;
}

export interface CertificateOverrideSettings {
  readonly Status?: ReplaceOverride;
}

export interface PlannedThing {
  readonly logicalId: string;
  readonly thingName: string;
  readonly thingTypeName?: string;
  /** Thing groups the thing must belong to, in template order, without duplicates. */
  readonly thingGroups: readonly string[];
  readonly billingGroup?: string;
  readonly attributes: Readonly<Record<string, string>>;
  readonly overrideSettings: ThingOverrideSettings;
}

export interface PlannedCertificate {
  readonly logicalId: string;
  /** `CertificateId` (JITP and fleet provisioning: `{"Ref": "AWS::IoT::Certificate::Id"}`). */
  readonly certificateId?: string;
  /** `CertificatePem`: an existing device certificate to register. */
  readonly certificatePem?: string;
  /** `CACertificatePem`, only beside `CertificatePem`. */
  readonly caCertificatePem?: string;
  /** `CertificateSigningRequest` (RegisterThing / bulk registration only): sign a new certificate from it. */
  readonly certificateSigningRequest?: string;
  /**
   * `Status`, upper-cased (AWS accepts `"Active"`). Absent when the template leaves it out;
   * the provisioning-template documentation says the status then defaults to ACTIVE.
   */
  readonly status?: 'ACTIVE' | 'INACTIVE' | 'PENDING_ACTIVATION' | string;
  readonly overrideSettings: CertificateOverrideSettings;
}

export interface PlannedPolicy {
  readonly logicalId: string;
  /** Name of an existing policy to attach. Exactly one of `policyName` and `policyDocument` is set. */
  readonly policyName?: string;
  /** JSON text of a policy to create (named by a hash of the document) and attach. */
  readonly policyDocument?: string;
}

export interface ProvisioningPlan {
  readonly thing?: PlannedThing;
  readonly certificate?: PlannedCertificate;
  readonly policies: readonly PlannedPolicy[];
  /** The template's DeviceConfiguration, every value resolved to a string (returned by fleet RegisterThing). */
  readonly deviceConfiguration: Readonly<Record<string, string>>;
}
