import { randomBytes } from 'node:crypto';
import type * as Iot from '@aws-sdk/client-iot';
import { certificateIdOf, inspectCertificate } from '../../../lambda-assets/shared/pki';
import {
  CERTIFICATE_ID_PARAMETER,
  evaluateProvisioningTemplate,
  JITP_CERTIFICATE_PARAMETERS,
  jitpParametersFromCertificate,
  TemplateError,
  type ProvisioningPlan,
} from '../templates';
import { inspectCertificateOnce, inspectPresentedDeviceCertificate, nativeCertificateOrUndefined, nativeIssuedBy } from './certificate-checks';
import { IotControlPlane, type IotModelOptions } from './control-plane';
import { invalidRequest, IotServiceError, notFound } from './errors';
import { applyProvisioningPlan, type ProvisioningContext, type ProvisioningOutcome } from './provisioning';
import { provisioningRoleRequests, type ProvisioningRoleAuthorizer } from './provisioning-role';
import { deepCopy, type CaRecord, type CertificateRecord, type PolicyRecord, type TemplateRecord, type ThingRecord } from './records';
import { requireString, stringMap, unique } from './validation';

export type { IotModelOptions } from './control-plane';
export type { ProvisioningContext, ProvisioningOutcome } from './provisioning';
export type { ProvisioningRoleAuthorizer, ProvisioningRoleDecision, ProvisioningRoleRequest } from './provisioning-role';

/** What AWS IoT sends a fleet-provisioning pre-provisioning hook (Lambda) for a RegisterThing request. */
export interface PreProvisioningHookPayload {
  readonly claimCertificateId: string;
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly templateArn: string;
  readonly clientId: string;
  readonly parameters: Record<string, string>;
}

/** Calls the hook's target (a Lambda function ARN) and resolves with what it returned. */
export type PreProvisioningHookInvoker = (targetArn: string, payload: PreProvisioningHookPayload) => Promise<unknown>;

const OWNERSHIP_TOKEN_LIFETIME_MS = 60 * 60 * 1000;
/** "The Lambda function must finish running and return within 5 seconds" (pre-provisioning hooks). */
const HOOK_TIMEOUT_MS = 5000;

/**
 * The AWS IoT registry of the local cloud: CAs, certificates, things, thing types and groups,
 * policies, provisioning templates and tags, with AWS IoT's rules (status transitions, what may be
 * deleted while attached, name patterns, limits) and per-operation rate limits.
 *
 * Two faces, kept apart:
 * - the control-plane operations (inherited from {@link IotControlPlane}), rate limited, in the
 *   SDK's shapes, served over HTTP by local/iot/http;
 * - gateway-facing methods (`certificate`, `findRegisteredIssuer`, `provisionJustInTime`, the fleet
 *   provisioning MQTT API, ...) that the MQTT gateway calls directly for what AWS IoT does on
 *   connect and on the `$aws/...` topics; they are not rate limited.
 */
export class IotModel extends IotControlPlane {
  private readonly ownershipTokens = new Map<string, { certificateId: string; expiresAt: number }>();
  private hookInvoker?: PreProvisioningHookInvoker;
  private roleAuthorizer?: ProvisioningRoleAuthorizer;
  private readonly hookTimeoutMs: number;

  constructor(options: IotModelOptions = {}) {
    super(options);
    this.hookTimeoutMs = options.preProvisioningHookTimeoutMs ?? HOOK_TIMEOUT_MS;
  }

  /**
   * A device certificate's registry record (a copy), or undefined if it is not registered. A
   * provisioning claim certificate reads INACTIVE once its five minutes are over.
   */
  certificate(certificateId: string): CertificateRecord | undefined {
    const record = this.registry.state.certificates.get(certificateId);
    return record ? deepCopy(this.registry.expireClaim(record)) : undefined;
  }

  /** A certificate's status alone, without copying its record: for watching thousands of them (the onboarding benchmark). */
  certificateStatus(certificateId: string): CertificateRecord['status'] | undefined {
    const record = this.registry.state.certificates.get(certificateId);
    return record ? this.registry.expireClaim(record).status : undefined;
  }

  /** A registered CA's record (a copy: status, autoRegistrationStatus, certificateMode, registrationConfig, PEM). */
  caCertificate(caCertificateId: string): CaRecord | undefined {
    const record = this.registry.state.cas.get(caCertificateId);
    return record ? deepCopy(record) : undefined;
  }

  /** Names of the things a principal (certificate ARN) is attached to. */
  thingsOfPrincipal(certificateArn: string): string[] {
    return this.registry.thingsOfPrincipal(certificateArn);
  }

  /**
   * CreateThingType for a thing type CloudFormation creates: its `Id` attribute is decided before the registry
   * sees it (the runner resolves every attribute first), so the registry keeps that id as the thingTypeId.
   */
  async createThingTypeWithId(input: Iot.CreateThingTypeRequest, thingTypeId: string): Promise<Iot.CreateThingTypeResponse> {
    const created = await this.createThingType(input);
    const record = this.registry.state.thingTypes.get(created.thingTypeName!)!;
    this.registry.state.thingTypes.set(record.thingTypeName, { ...record, thingTypeId });
    return { ...created, thingTypeId };
  }

  /** A thing's record (a copy: name, type, attributes), or undefined. */
  thing(thingName: string): ThingRecord | undefined {
    const record = this.registry.state.things.get(thingName);
    return record ? deepCopy(record) : undefined;
  }

  /**
   * The policy documents that authorize a certificate: those attached to it, those attached to
   * the thing groups (and their ancestors) of the things it is attached to, and, for a
   * provisioning claim, the implicit policy of the claim (connect, and the fleet-provisioning
   * topics of its template only).
   */
  policyDocumentsOfPrincipal(certificateArn: string): { policyName: string; document: string }[] {
    const targets = [certificateArn];
    for (const thingName of this.registry.thingsOfPrincipal(certificateArn)) {
      for (const group of this.registry.groupsOfThing(thingName)) {
        targets.push(group.thingGroupArn, ...this.registry.ancestorsOf(group.thingGroupName).map(a => a.thingGroupArn));
      }
    }
    const names = unique(targets.flatMap(target => this.registry.state.policyTargets.get(target) ?? []));
    const documents = names
      .map(name => this.registry.state.policies.get(name))
      .filter((policy): policy is PolicyRecord => policy !== undefined)
      .map(policy => ({ policyName: policy.policyName, document: policy.policyDocument }));
    const parsed = this.registry.arns.parse(certificateArn);
    const claim = parsed?.kind === 'cert' ? this.registry.state.certificates.get(parsed.name) : undefined;
    if (claim?.claimTemplateName !== undefined) {
      documents.push({ policyName: `provisioning-claim/${claim.claimTemplateName}`, document: this.claimPolicyDocument(claim.claimTemplateName) });
    }
    return documents;
  }

  /**
   * The registered CA (ACTIVE or not) whose key signed this certificate, or undefined. CAs whose
   * certificate the device presented in its TLS chain are tried first, then every other registered
   * CA with the certificate's issuer name.
   */
  async findRegisteredIssuer(certificatePem: string, presentedChainPems: string[]): Promise<CaRecord | undefined> {
    const certificate = nativeCertificateOrUndefined(certificatePem);
    if (!certificate) return undefined;
    const presented = new Set<string>();
    for (const pem of presentedChainPems) {
      try {
        presented.add(certificateIdOf(pem));
      } catch {
        // not a certificate: ignore it, as a TLS stack would
      }
    }
    const cas = [...this.registry.state.cas.values()];
    cas.sort((a, b) => Number(presented.has(b.certificateId)) - Number(presented.has(a.certificateId)));
    for (const ca of cas) {
      if (nativeIssuedBy(certificate, ca.certificatePem)) {
        const current = this.registry.state.cas.get(ca.certificateId);
        if (current) return deepCopy(current);
      }
    }
    return undefined;
  }

  /**
   * JITR: registers a certificate signed by a registered CA as PENDING_ACTIVATION, in the CA's
   * certificate mode. Idempotent: a certificate already registered is returned unchanged.
   * Throws ResourceNotFoundException for an unknown CA, CertificateValidationException for a
   * certificate that does not parse.
   */
  registerPendingCertificate(certificatePem: string, caCertificateId: string): CertificateRecord {
    // Every connect of a pending certificate comes here: a registered one is found by its id (a hash of the DER)
    // without parsing it again, which a burst of devices retrying would otherwise pay on each connect.
    const known = this.registry.state.certificates.get(idOrUndefined(certificatePem) ?? '');
    if (known) return deepCopy(known);
    const info = inspectPresentedDeviceCertificate(certificatePem);
    const existing = this.registry.state.certificates.get(info.certificateId);
    if (existing) return deepCopy(existing);
    const ca = this.registry.state.cas.get(caCertificateId);
    if (!ca) throw notFound(`CA certificate ${caCertificateId} is not registered`);
    const record = this.registry.addCertificate(certificatePem, info, 'PENDING_ACTIVATION', { caCertificateId, certificateMode: ca.certificateMode });
    return deepCopy(record);
  }

  /**
   * JITP: registers the certificate (PENDING_ACTIVATION), runs the CA's template with the
   * parameters AWS IoT takes from the certificate, checks that the provisioning role may do what
   * the result asks (when a {@link setProvisioningRoleAuthorizer provisioning-role authorizer} is
   * set), and applies it. When the template fails (a missing subject field, say) or the role is
   * refused, the certificate stays PENDING_ACTIVATION and `reason` says why; nothing else is left behind.
   */
  async provisionJustInTime(certificatePem: string, caCertificateId: string): Promise<{ provisioned: boolean; reason?: string }> {
    const ca = this.registry.state.cas.get(caCertificateId);
    if (!ca?.registrationConfig) return { provisioned: false, reason: `CA certificate ${caCertificateId} has no provisioning template` };
    let certificate: CertificateRecord;
    try {
      certificate = this.registerPendingCertificate(certificatePem, caCertificateId);
    } catch (error) {
      return { provisioned: false, reason: (error as Error).message };
    }
    if (certificate.status !== 'PENDING_ACTIVATION') {
      return certificate.status === 'ACTIVE'
        ? { provisioned: true }
        : { provisioned: false, reason: `the certificate is ${certificate.status}` };
    }
    try {
      const template = this.jitpTemplate(ca);
      const subject = inspectCertificateOnce(certificatePem).subject;
      const parameters = jitpParametersFromCertificate({ certificateId: certificate.certificateId, subject });
      const plan = evaluateProvisioningTemplate(template.body, parameters, { suppliedOnly: JITP_CERTIFICATE_PARAMETERS });
      const context = { certificateId: certificate.certificateId };
      const refusal = await this.provisioningRoleRefusal(template.roleArn, template.sourceArn, plan, context);
      if (refusal !== undefined) return { provisioned: false, reason: refusal };
      await this.applyProvisioningPlan(plan, context);
      return { provisioned: true };
    } catch (error) {
      if (error instanceof TemplateError || error instanceof IotServiceError) return { provisioned: false, reason: error.message };
      throw error;
    }
  }

  /**
   * Fleet provisioning (MQTT CreateKeysAndCertificate / CreateCertificateFromCsr): an opaque token
   * proving the caller received this certificate. Valid for one hour, for one RegisterThing.
   */
  issueOwnershipToken(certificateId: string): string {
    if (!this.registry.state.certificates.has(certificateId)) throw notFound(`Certificate ${certificateId} does not exist`);
    const token = randomBytes(48).toString('base64');
    this.ownershipTokens.set(token, { certificateId, expiresAt: this.clock() + OWNERSHIP_TOKEN_LIFETIME_MS });
    return token;
  }

  /**
   * Fleet provisioning's MQTT CreateKeysAndCertificate (`$aws/certificates/create/json`): a new key
   * pair and a PENDING_ACTIVATION certificate from the Amazon issuing CA (the template's certificate resource
   * activates it), with the ownership token RegisterThing wants. Not rate limited.
   */
  async createKeysAndCertificateForFleet(): Promise<{
    certificateId: string; certificatePem: string; privateKey: string; certificateOwnershipToken: string;
  }> {
    const issued = await this.issuer.issueDeviceCertificateWithNewKey();
    // PENDING_ACTIVATION, as AWS documents for the MQTT API: RegisterThing sets the template's status.
    const record = this.registry.addCertificate(issued.certificatePem, inspectCertificate(issued.certificatePem), 'PENDING_ACTIVATION', {});
    return {
      certificateId: record.certificateId,
      certificatePem: record.certificatePem,
      privateKey: issued.privateKeyPem,
      certificateOwnershipToken: this.issueOwnershipToken(record.certificateId),
    };
  }

  /**
   * Fleet provisioning's MQTT CreateCertificateFromCsr (`$aws/certificates/create-from-csr/json`):
   * like CreateCertificateFromCsr, PENDING_ACTIVATION, with an ownership token. A CSR AWS IoT refuses is a
   * 400 InvalidRequest rejection. Not rate limited.
   */
  async createCertificateFromCsrForFleet(
    certificateSigningRequest: string,
  ): Promise<{ certificateId: string; certificatePem: string; certificateOwnershipToken: string }> {
    const certificatePem = await this.issuer.certifyCsr(requireString(certificateSigningRequest, 'certificateSigningRequest'));
    const record = this.registry.addCertificate(certificatePem, inspectCertificate(certificatePem), 'PENDING_ACTIVATION', {});
    return { certificateId: record.certificateId, certificatePem, certificateOwnershipToken: this.issueOwnershipToken(record.certificateId) };
  }

  /** Plugs in what runs pre-provisioning hooks (the runner's Lambda). Without one, a template with a hook rejects every device. */
  setPreProvisioningHookInvoker(invoker: PreProvisioningHookInvoker | undefined): void {
    this.hookInvoker = invoker;
  }

  /**
   * Plugs in what decides whether AWS IoT may act as a provisioning role (the runner's IAM). JITP and
   * fleet provisioning's RegisterThing ask it, before changing anything, with the role and every
   * `{action, resource}` the plan will perform; a refusal fails them as AWS does (JITP: the certificate
   * stays PENDING_ACTIVATION; RegisterThing: 403 AccessDenied), with the authorizer's reason. Without
   * one (a local cloud with no IAM), every role is taken to allow everything.
   */
  setProvisioningRoleAuthorizer(authorizer: ProvisioningRoleAuthorizer | undefined): void {
    this.roleAuthorizer = authorizer;
  }

  /**
   * Fleet provisioning's RegisterThing (MQTT `$aws/provisioning-templates/<name>/provision/json`):
   * checks the ownership token, runs the template's pre-provisioning hook if it has one (5 s; a
   * failure, a timeout or no `allowProvisioning: true` rejects with AccessDenied), checks the
   * template's provisioning role (403 AccessDenied when refused), applies the template for the
   * token's certificate and returns `{thingName, deviceConfiguration}`.
   * Failures are IotServiceErrors whose {@link IotServiceError.rejectedPayload} is the `/rejected` payload.
   */
  async registerThingWithOwnershipToken(
    templateName: string,
    token: string,
    parameters: Record<string, string> | undefined,
    claimCertificateId: string,
    clientId: string,
  ): Promise<{ thingName: string; deviceConfiguration: Record<string, string> }> {
    if (typeof token !== 'string' || token.length === 0) {
      throw mqttError(400, 'InvalidCertificateOwnershipToken', 'Certificate ownership token cannot be empty.');
    }
    const entry = this.ownershipTokens.get(token);
    const certificate = entry && entry.expiresAt > this.clock() ? this.registry.state.certificates.get(entry.certificateId) : undefined;
    if (!certificate) throw mqttError(400, 'InvalidCertificateOwnershipToken', 'Certificate ownership token is invalid or has expired.');
    const template = this.registry.state.templates.get(templateName);
    if (!template) throw mqttError(404, 'ResourceNotFound', `Provisioning template ${templateName} does not exist`);
    if (template.type !== 'FLEET_PROVISIONING') throw mqttError(400, 'InvalidRequest', `Template ${templateName} is not a FLEET_PROVISIONING template`);
    if (!template.enabled) throw mqttError(400, 'InvalidRequest', `Template ${templateName} is disabled`);
    const claim = this.registry.state.certificates.get(claimCertificateId);
    if (claim?.claimTemplateName !== undefined && claim.claimTemplateName !== templateName) {
      throw mqttError(403, 'AccessDenied', `The provisioning claim may only be used with template ${claim.claimTemplateName}`);
    }
    let values: Record<string, string>;
    try {
      values = stringMap(parameters ?? {}, 'parameters');
    } catch (error) {
      throw mqttError(400, 'InvalidPayload', (error as Error).message);
    }
    if (template.preProvisioningHook?.targetArn) {
      const overrides = await this.runPreProvisioningHook(template, {
        claimCertificateId,
        certificateId: certificate.certificateId,
        certificatePem: certificate.certificatePem,
        templateArn: template.templateArn,
        clientId,
        parameters: { ...values },
      });
      values = { ...values, ...overrides };
    }
    values[CERTIFICATE_ID_PARAMETER] = certificate.certificateId;
    let plan: ProvisioningPlan;
    try {
      plan = evaluateProvisioningTemplate(template.templateBody, values);
    } catch (error) {
      if (error instanceof TemplateError) {
        throw mqttError(400, error.reason === 'parameters' ? 'InvalidParameters' : 'InvalidTemplate', error.message);
      }
      throw error;
    }
    const context = { certificateId: certificate.certificateId };
    const refusal = await this.provisioningRoleRefusal(template.provisioningRoleArn, template.templateArn, plan, context);
    if (refusal !== undefined) throw mqttError(403, 'AccessDenied', refusal);
    let outcome: ProvisioningOutcome;
    try {
      outcome = await this.applyProvisioningPlan(plan, context);
    } catch (error) {
      if (error instanceof IotServiceError) throw mqttError(error.httpStatus, error.errorCode, error.message);
      throw error;
    }
    this.ownershipTokens.delete(token);
    return { thingName: outcome.thingName ?? '', deviceConfiguration: outcome.deviceConfiguration };
  }

  /** PEM of the local stand-in for Amazon's issuing CA (the issuer of AWS-created certificates). */
  async issuingCaCertificatePem(): Promise<string> {
    return (await this.issuer.authority()).certificatePem;
  }

  // ---------------------------------------------------------------- provisioning plans

  /**
   * Applies what a provisioning template asked for, as one step: the thing (created, or updated as
   * its OverrideSettings allow: MERGE / REPLACE / DO_NOTHING / FAIL, DO_NOTHING when unset), its
   * thing type and groups, the certificate (registered from CertificatePem, issued from a CSR, or
   * the existing one named by CertificateId, whose status becomes the template's), the policies
   * (by name, or created from PolicyDocument under a name derived from the document as AWS does),
   * the policies' attachment to the certificate and the certificate's attachment to the thing.
   * If any part fails, every change is undone. Not rate limited.
   */
  async applyProvisioningPlan(plan: ProvisioningPlan, context: ProvisioningContext = {}): Promise<ProvisioningOutcome> {
    return applyProvisioningPlan(this.registry, this.issuer, plan, context);
  }

  // ---------------------------------------------------------------- internals

  /** A deleted certificate's ownership tokens go with it. */
  protected certificateDeleted(certificateId: string): void {
    for (const [token, entry] of this.ownershipTokens) {
      if (entry.certificateId === certificateId) this.ownershipTokens.delete(token);
    }
  }

  private async runPreProvisioningHook(template: TemplateRecord, payload: PreProvisioningHookPayload): Promise<Record<string, string>> {
    const targetArn = template.preProvisioningHook?.targetArn as string;
    if (!this.hookInvoker) throw mqttError(403, 'AccessDenied', 'The pre-provisioning hook could not be invoked');
    let answer: unknown;
    let timer: NodeJS.Timeout | undefined;
    try {
      answer = await Promise.race([
        this.hookInvoker(targetArn, payload),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${this.hookTimeoutMs} ms`)), this.hookTimeoutMs);
        }),
      ]);
    } catch (error) {
      throw mqttError(403, 'AccessDenied', `The pre-provisioning hook failed: ${(error as Error).message}`);
    } finally {
      clearTimeout(timer);
    }
    const response = (typeof answer === 'string' ? safeJson(answer) : answer) as { allowProvisioning?: unknown; parameterOverrides?: unknown } | undefined;
    if (response?.allowProvisioning !== true) {
      throw mqttError(403, 'AccessDenied', 'The pre-provisioning hook did not allow provisioning');
    }
    try {
      return stringMap(response.parameterOverrides ?? {}, 'parameterOverrides');
    } catch (error) {
      throw mqttError(403, 'AccessDenied', `The pre-provisioning hook answered invalid parameterOverrides: ${(error as Error).message}`);
    }
  }

  /**
   * A JITP CA's template: its inline body with the config's role (AWS IoT provisions for the CA), or
   * the named JITP template with that template's role.
   */
  private jitpTemplate(ca: CaRecord): { body: string; roleArn?: string; sourceArn: string } {
    const config = ca.registrationConfig ?? {};
    if (config.templateBody !== undefined) return { body: config.templateBody, roleArn: config.roleArn, sourceArn: ca.certificateArn };
    const template = config.templateName === undefined ? undefined : this.registry.state.templates.get(config.templateName);
    if (!template) throw notFound(`Provisioning template ${config.templateName} does not exist`);
    if (!template.enabled) throw invalidRequest(`Provisioning template ${template.templateName} is disabled`);
    return { body: template.templateBody, roleArn: template.provisioningRoleArn, sourceArn: template.templateArn };
  }

  /**
   * Why the provisioning role may not do what `plan` asks, or undefined when it may (or when no
   * authorizer is set). Asked before anything is applied.
   */
  private async provisioningRoleRefusal(
    roleArn: string | undefined, sourceArn: string, plan: ProvisioningPlan, context: ProvisioningContext,
  ): Promise<string | undefined> {
    if (!this.roleAuthorizer) return undefined;
    if (roleArn === undefined) return 'No provisioning role is configured for the template';
    const decision = await this.roleAuthorizer(roleArn, provisioningRoleRequests(this.registry, plan, context), sourceArn);
    return decision.allowed ? undefined : decision.reason;
  }

  private claimPolicyDocument(templateName: string): string {
    const topic = (name: string) => `arn:aws:iot:${this.region}:${this.accountId}:topic/${name}`;
    const filter = (name: string) => `arn:aws:iot:${this.region}:${this.accountId}:topicfilter/${name}`;
    const topics = ['$aws/certificates/create/*', '$aws/certificates/create-from-csr/*', `$aws/provisioning-templates/${templateName}/provision/*`];
    return JSON.stringify({
      Version: '2012-10-17',
      Statement: [
        { Effect: 'Allow', Action: 'iot:Connect', Resource: '*' },
        { Effect: 'Allow', Action: ['iot:Publish', 'iot:Receive'], Resource: topics.map(topic) },
        { Effect: 'Allow', Action: 'iot:Subscribe', Resource: topics.map(filter) },
      ],
    });
  }
}

function mqttError(statusCode: number, errorCode: string, message: string): IotServiceError {
  return new IotServiceError(`${errorCode}Exception`, statusCode, message, { errorCode });
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** The certificate id of a PEM, or undefined when it is not one (the caller's parse then says why). */
function idOrUndefined(certificatePem: string): string | undefined {
  try {
    return certificateIdOf(certificatePem);
  } catch {
    return undefined;
  }
}
