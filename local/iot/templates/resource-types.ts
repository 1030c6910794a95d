/**
 * The three resource types a provisioning template may declare, with the properties and
 * OverrideSettings each accepts (AWS IoT Developer Guide, "Provisioning templates").
 */

export const THING = 'AWS::IoT::Thing';
export const CERTIFICATE = 'AWS::IoT::Certificate';
export const POLICY = 'AWS::IoT::Policy';

export type ResourceType = typeof THING | typeof CERTIFICATE | typeof POLICY;

export const RESOURCE_TYPES: readonly ResourceType[] = [THING, CERTIFICATE, POLICY];

export interface ResourceTypeSpec {
  readonly properties: readonly string[];
  /** Documented properties the local cloud does not model; declaring one is an error rather than silently ignored. */
  readonly unsupported: readonly string[];
  /** OverrideSettings key -> the values it accepts. */
  readonly overrides: Readonly<Record<string, readonly string[]>>;
}

const MERGE = ['MERGE', 'REPLACE', 'DO_NOTHING', 'FAIL'] as const;
const REPLACE = ['REPLACE', 'DO_NOTHING', 'FAIL'] as const;

export const RESOURCE_SPECS: Readonly<Record<ResourceType, ResourceTypeSpec>> = {
  [THING]: {
    properties: ['ThingName', 'ThingTypeName', 'ThingGroups', 'AttributePayload', 'BillingGroup'],
    unsupported: ['PackageVersions'],
    overrides: { AttributePayload: MERGE, ThingTypeName: REPLACE, ThingGroups: MERGE },
  },
  [CERTIFICATE]: {
    // The guide lists the property as "CertificateID" and writes "CertificateId" in every example: accept both.
    properties: ['CertificateId', 'CertificateID', 'CertificatePem', 'CACertificatePem', 'CertificateSigningRequest', 'Status'],
    unsupported: [],
    overrides: { Status: REPLACE },
  },
  [POLICY]: {
    properties: ['PolicyName', 'PolicyDocument'],
    unsupported: [],
    overrides: {},
  },
};
