import { randomUUID } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { ArnBuilder } from './arns';
import { certificateInvalid, signedBy } from './certificate-checks';
import { alreadyExists, invalidRequest, iotError, notFound, type IotServiceError } from './errors';
import type { ThingEventOperation } from './events';
import {
  deepCopy,
  emptyRegistryState,
  type CaRecord,
  type CertificateRecord,
  type PolicyRecord,
  type RegistryState,
  type TemplateRecord,
  type ThingGroupRecord,
  type ThingRecord,
} from './records';
import { POLICY_NAME, requireCertificateId, requireName, requireString, TEMPLATE_NAME, THING_NAME } from './validation';
import { certificateIdOf, inspectCertificate } from '../../../lambda-assets/shared/pki';

/** Policies attached to one certificate (or other target). */
const MAX_POLICIES_PER_TARGET = 10;
/** A thing belongs to at most 10 thing groups. */
const MAX_GROUPS_PER_THING = 10;

/**
 * The registry's state and the primitives every operation is built from: look-ups that throw
 * AWS's errors, record creation, attachments, group membership. No rate limits and no wire
 * shapes here; IotModel (the operations) and the provisioning-plan applier use it.
 */
export class Registry {
  state: RegistryState = emptyRegistryState();
  readonly arns: ArnBuilder;
  /**
   * Told after a thing was created, updated or deleted (with a copy of the thing as it then is), for
   * registry events. Inside a {@link transaction} the changes wait for its end, and are dropped if it fails.
   */
  onThingChange?: (operation: ThingEventOperation, thing: ThingRecord) => void;
  /** Thing changes of the running transaction, told once it succeeds. */
  private pendingChanges?: [ThingEventOperation, ThingRecord][];

  constructor(readonly accountId: string, region: string, readonly clock: () => number) {
    this.arns = new ArnBuilder(region, accountId);
  }

  /**
   * Runs `change` as one step: if it throws, the state is put back as it was before, and the thing
   * changes it recorded are never told. `change` must be synchronous, so nothing else can see or
   * change the state meanwhile.
   */
  transaction<T>(change: () => T): T {
    if (this.pendingChanges) return change(); // nested: the outer transaction decides
    const snapshot = deepCopy(this.state);
    const changes: [ThingEventOperation, ThingRecord][] = [];
    this.pendingChanges = changes;
    let result: T;
    try {
      result = change();
    } catch (error) {
      this.state = snapshot;
      throw error;
    } finally {
      this.pendingChanges = undefined;
    }
    for (const [operation, thing] of changes) this.onThingChange?.(operation, thing);
    return result;
  }

  /**
   * Records that a thing was created, updated or deleted. The copy is taken now, so a later step of
   * the same transaction cannot change what the event says.
   */
  thingChanged(operation: ThingEventOperation, thing: ThingRecord): void {
    const copy = deepCopy(thing);
    if (this.pendingChanges) this.pendingChanges.push([operation, copy]);
    else this.onThingChange?.(operation, copy);
  }

  date(): Date {
    return new Date(this.clock());
  }

  touch(record: { lastModifiedDate: Date; customerVersion: number; generationId: string }): void {
    record.lastModifiedDate = this.date();
    record.customerVersion += 1;
    record.generationId = randomUUID();
  }

  setTags(arn: string, tags: readonly Iot.Tag[]): void {
    if (tags.length > 0) this.state.tags.set(arn, new Map(tags.map(tag => [tag.Key as string, tag.Value ?? ''])));
  }

  addCertificate(
    pem: string,
    info: { certificateId: string; notBefore: Date; notAfter: Date },
    status: Iot.CertificateStatus,
    extra: { caCertificateId?: string; certificateMode?: Iot.CertificateMode; claimExpiration?: Date; claimTemplateName?: string },
  ): CertificateRecord {
    const certificateArn = this.arns.arn('cert', info.certificateId);
    if (this.state.certificates.has(info.certificateId)) {
      throw alreadyExists(`The certificate is already provisioned or registered (id: ${info.certificateId})`, info.certificateId, certificateArn);
    }
    const now = this.date();
    const record: CertificateRecord = {
      certificateId: info.certificateId,
      certificateArn,
      certificatePem: pem,
      status,
      caCertificateId: extra.caCertificateId,
      certificateMode: extra.certificateMode ?? 'DEFAULT',
      ownedBy: this.accountId,
      creationDate: now,
      lastModifiedDate: now,
      customerVersion: 1,
      generationId: randomUUID(),
      validity: { notBefore: info.notBefore, notAfter: info.notAfter },
      claimExpiration: extra.claimExpiration,
      claimTemplateName: extra.claimTemplateName,
    };
    this.state.certificates.set(info.certificateId, record);
    return record;
  }

  addThing(thingName: string, thingTypeName: string | undefined, attributes: Record<string, string>): ThingRecord {
    const thing: ThingRecord = { thingName, thingArn: this.arns.arn('thing', thingName), thingId: randomUUID(), thingTypeName, attributes, version: 1 };
    this.state.things.set(thingName, thing);
    this.thingChanged('CREATED', thing);
    return thing;
  }

  addPolicy(policyName: string, document: string): PolicyRecord {
    const now = this.date();
    const policy: PolicyRecord = {
      policyName, policyArn: this.arns.arn('policy', policyName), policyDocument: document, creationDate: now, lastModifiedDate: now, generationId: randomUUID(),
    };
    this.state.policies.set(policyName, policy);
    return policy;
  }

  attachPolicyTo(policyName: string, target: string): void {
    const names = this.state.policyTargets.get(target) ?? [];
    if (names.includes(policyName)) return;
    if (names.length >= MAX_POLICIES_PER_TARGET) {
      throw iotError('LimitExceededException', `At most ${MAX_POLICIES_PER_TARGET} policies can be attached to ${target}`);
    }
    this.state.policyTargets.set(target, [...names, policyName]);
  }

  attachPrincipalTo(thingName: string, principal: string, type: Iot.ThingPrincipalType): void {
    for (const [otherThing, principals] of this.state.thingPrincipals) {
      if (otherThing === thingName || !principals.has(principal)) continue;
      if (principals.get(principal) === 'EXCLUSIVE_THING') {
        throw invalidRequest(`The principal ${principal} is exclusively attached to thing ${otherThing}`);
      }
      if (type === 'EXCLUSIVE_THING') {
        throw invalidRequest(`The principal ${principal} is attached to thing ${otherThing}, so it cannot be attached exclusively`);
      }
    }
    const principals = this.state.thingPrincipals.get(thingName) ?? new Map<string, Iot.ThingPrincipalType>();
    principals.set(principal, type);
    this.state.thingPrincipals.set(thingName, principals);
  }

  /**
   * Puts a thing into groups. MERGE adds them, REPLACE makes them its only groups, DO_NOTHING
   * leaves an existing thing's groups alone, FAIL refuses when its groups would change.
   */
  joinGroups(thingName: string, groupNames: readonly string[], mode: string): void {
    const current = this.groupsOfThing(thingName).map(group => group.thingGroupName);
    const missing = groupNames.filter(name => !current.includes(name));
    if (mode === 'DO_NOTHING' || (missing.length === 0 && mode !== 'REPLACE')) return;
    if (mode === 'FAIL') throw iotError('ConflictingResourceUpdateException', `Thing ${thingName} exists in other thing groups`);
    const target = mode === 'REPLACE' ? [...groupNames] : [...current, ...missing];
    if (target.length > MAX_GROUPS_PER_THING) throw invalidRequest(`A thing can be in at most ${MAX_GROUPS_PER_THING} thing groups`);
    const roots = new Map<string, string>();
    for (const name of target) {
      const root = this.ancestorsOf(name).at(-1)?.thingGroupName ?? name;
      const other = roots.get(root);
      if (other !== undefined && other !== name) {
        throw invalidRequest(`A thing cannot be in two groups of the same hierarchy (${other} and ${name})`);
      }
      roots.set(root, name);
    }
    for (const name of current) this.state.groupMembers.get(name)?.delete(thingName);
    for (const name of target) this.state.groupMembers.get(name)?.add(thingName);
  }

  groupsOfThing(thingName: string): ThingGroupRecord[] {
    const groups: ThingGroupRecord[] = [];
    for (const [name, members] of this.state.groupMembers) {
      const group = this.state.thingGroups.get(name);
      if (group && members.has(thingName)) groups.push(group);
    }
    return groups;
  }

  /** A group's ancestors, parent first. */
  ancestorsOf(groupName: string): ThingGroupRecord[] {
    const ancestors: ThingGroupRecord[] = [];
    let parentName = this.state.thingGroups.get(groupName)?.parentGroupName;
    while (parentName !== undefined) {
      const parent = this.state.thingGroups.get(parentName);
      if (!parent) break;
      ancestors.push(parent);
      parentName = parent.parentGroupName;
    }
    return ancestors;
  }

  /** Names of the things a principal (certificate ARN) is attached to. */
  thingsOfPrincipal(certificateArn: string): string[] {
    const names: string[] = [];
    for (const [thingName, principals] of this.state.thingPrincipals) {
      if (principals.has(certificateArn)) names.push(thingName);
    }
    return names;
  }

  /** A provisioning claim's certificate turns INACTIVE once its five minutes are over. */
  expireClaim(record: CertificateRecord): CertificateRecord {
    if (record.claimExpiration && record.status === 'ACTIVE' && record.claimExpiration.getTime() <= this.clock()) {
      record.status = 'INACTIVE';
      this.touch(record);
    }
    return record;
  }

  /** The registered CA that signed a certificate: the given CA (checked), else the one registered CA that did. */
  async issuingCaIdOf(
    certificatePem: string,
    caCertificatePem: string | undefined,
    fail: (name: 'CertificateValidationException' | 'CertificateConflictException', message: string) => IotServiceError,
  ): Promise<string> {
    if (caCertificatePem !== undefined) {
      let caId: string;
      try {
        caId = certificateIdOf(caCertificatePem);
      } catch (error) {
        throw certificateInvalid(error, 'caCertificatePem');
      }
      const ca = this.state.cas.get(caId);
      if (!ca) throw fail('CertificateValidationException', `The CA certificate ${caId} is not registered`);
      if (!await signedBy(certificatePem, ca.certificatePem)) {
        throw fail('CertificateValidationException', `The certificate is not signed by the CA certificate ${caId}`);
      }
      return caId;
    }
    const issuerName = inspectCertificate(certificatePem).issuerName;
    const issuers: string[] = [];
    for (const ca of [...this.state.cas.values()].filter(c => c.subjectName === issuerName)) {
      if (await signedBy(certificatePem, ca.certificatePem)) issuers.push(ca.certificateId);
    }
    if (issuers.length === 0) throw fail('CertificateValidationException', 'The certificate is not signed by a registered CA certificate');
    if (issuers.length > 1) {
      throw fail('CertificateConflictException',
        'More than one registered CA certificate has the subject and key that signed the certificate; pass caCertificatePem');
    }
    return issuers[0];
  }

  requireCa(certificateId: unknown): CaRecord {
    const id = requireCertificateId(certificateId);
    const ca = this.state.cas.get(id);
    if (!ca) throw notFound(`CA certificate ${id} does not exist`);
    return ca;
  }

  requireCertificate(certificateId: unknown): CertificateRecord {
    const id = requireCertificateId(certificateId);
    const certificate = this.state.certificates.get(id);
    if (!certificate) throw notFound(`Certificate ${id} does not exist`);
    return this.expireClaim(certificate);
  }

  requireThing(thingName: unknown): ThingRecord {
    const name = requireName(thingName, THING_NAME, 'thingName');
    const thing = this.state.things.get(name);
    if (!thing) throw notFound(`Thing ${name} cannot be found`);
    return thing;
  }

  requireUsableThingType(thingTypeName: unknown): { thingTypeName: string } {
    const name = requireName(thingTypeName, THING_NAME, 'thingTypeName');
    if (!this.state.thingTypes.has(name)) throw notFound(`Thing type ${name} does not exist`);
    return { thingTypeName: name };
  }

  requireThingGroup(thingGroupName: unknown): ThingGroupRecord {
    const name = requireName(thingGroupName, THING_NAME, 'thingGroupName');
    const group = this.state.thingGroups.get(name);
    if (!group) throw notFound(`Thing group ${name} does not exist`);
    return group;
  }

  requirePolicy(policyName: unknown): PolicyRecord {
    const name = requireName(policyName, POLICY_NAME, 'policyName');
    const policy = this.state.policies.get(name);
    if (!policy) throw notFound(`Policy ${name} does not exist`);
    return policy;
  }

  requireTemplate(templateName: unknown): TemplateRecord {
    const name = requireName(templateName, TEMPLATE_NAME, 'templateName');
    const template = this.state.templates.get(name);
    if (!template) throw notFound(`Provisioning template ${name} does not exist`);
    return template;
  }

  /** A certificate ARN of a registered certificate (the only principals this model has). */
  requirePrincipal(principal: unknown): string {
    const arn = requireString(principal, 'principal');
    const parsed = this.arns.parse(arn);
    if (parsed?.kind !== 'cert') throw invalidRequest(`principal must be a certificate ARN of this account and Region, got ${arn}`);
    if (!this.state.certificates.has(parsed.name)) throw notFound(`Certificate ${parsed.name} does not exist`);
    return arn;
  }

  /** AttachPolicy targets: a registered certificate's ARN or an existing thing group's ARN. */
  requirePolicyTarget(target: unknown): string {
    const arn = requireString(target, 'target');
    const parsed = this.arns.parse(arn);
    if (parsed?.kind === 'cert') {
      if (!this.state.certificates.has(parsed.name)) throw notFound(`Certificate ${parsed.name} does not exist`);
      return arn;
    }
    if (parsed?.kind === 'thinggroup') {
      this.requireThingGroup(parsed.name);
      return arn;
    }
    throw invalidRequest(`target must be a certificate ARN or a thing group ARN of this account and Region, got ${arn}`);
  }

  requireTaggable(resourceArn: unknown): string {
    const arn = requireString(resourceArn, 'resourceArn');
    const parsed = this.arns.parse(arn);
    const exists = parsed && {
      cacert: () => this.state.cas.has(parsed.name),
      thing: () => this.state.things.has(parsed.name),
      thingtype: () => this.state.thingTypes.has(parsed.name),
      thinggroup: () => this.state.thingGroups.has(parsed.name),
      policy: () => this.state.policies.has(parsed.name),
      provisioningtemplate: () => this.state.templates.has(parsed.name),
      cert: undefined,
    }[parsed.kind];
    if (!exists) throw invalidRequest(`${arn} is not a taggable AWS IoT resource ARN of this account and Region`);
    if (!exists()) throw notFound(`${arn} does not exist`);
    return arn;
  }

  nameFromArn(arn: unknown, kind: 'thing' | 'thinggroup', what: string): string {
    const parsed = this.arns.parse(requireString(arn, what));
    if (parsed?.kind !== kind) throw invalidRequest(`${what} is not a ${kind} ARN of this account and Region`);
    return parsed.name;
  }
}
