/** Provisioning template operations, and the fleet provisioning ones that use a template: CreateProvisioningClaim, RegisterThing. */
import type * as Iot from '@aws-sdk/client-iot';
import { inspectCertificate } from '../../../../lambda-assets/shared/pki';
import { evaluateProvisioningTemplate, TEMPLATE_BODY_MAX_LENGTH, TemplateError, validateTemplate, type ProvisioningPlan } from '../../templates';
import { alreadyExists, invalidRequest, iotError, IotServiceError } from '../errors';
import { applyProvisioningPlan, type ProvisioningOutcome } from '../provisioning';
import { paginate, requireName, requireOneOf, requireString, stringMap, TEMPLATE_NAME, validateTags } from '../validation';
import type { ControlPlaneContext } from './context';

/** CreateProvisioningClaim: "a temporary claim certificate, valid 5 minutes". */
const CLAIM_LIFETIME_MS = 5 * 60 * 1000;
const HOOK_PAYLOAD_VERSION = '2020-04-01';

export async function createProvisioningTemplate(
  ctx: ControlPlaneContext,
  input: Iot.CreateProvisioningTemplateRequest,
): Promise<Iot.CreateProvisioningTemplateResponse> {
  ctx.throttle('CreateProvisioningTemplate');
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
  const templateArn = ctx.registry.arns.arn('provisioningtemplate', templateName);
  if (ctx.registry.state.templates.has(templateName)) throw alreadyExists(`Provisioning template ${templateName} already exists`, templateName, templateArn);
  const now = ctx.registry.date();
  ctx.registry.state.templates.set(templateName, {
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
  ctx.registry.setTags(templateArn, tags);
  return { templateArn, templateName, defaultVersionId: 1 };
}

export async function describeProvisioningTemplate(
  ctx: ControlPlaneContext,
  input: Iot.DescribeProvisioningTemplateRequest,
): Promise<Iot.DescribeProvisioningTemplateResponse> {
  ctx.throttle('DescribeProvisioningTemplate');
  const template = ctx.registry.requireTemplate(input.templateName);
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

export async function listProvisioningTemplates(
  ctx: ControlPlaneContext,
  input: Iot.ListProvisioningTemplatesRequest = {},
): Promise<Iot.ListProvisioningTemplatesResponse> {
  ctx.throttle('ListProvisioningTemplates');
  const { page, next } = paginate([...ctx.registry.state.templates.values()], input.maxResults, input.nextToken);
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
export async function deleteProvisioningTemplate(
  ctx: ControlPlaneContext,
  input: Iot.DeleteProvisioningTemplateRequest,
): Promise<Iot.DeleteProvisioningTemplateResponse> {
  ctx.throttle('DeleteProvisioningTemplate');
  const template = ctx.registry.requireTemplate(input.templateName);
  const user = [...ctx.registry.state.cas.values()].find(ca => ca.registrationConfig?.templateName === template.templateName);
  if (user) throw iotError('DeleteConflictException', `The template is used by CA certificate ${user.certificateId}`);
  ctx.registry.state.templates.delete(template.templateName);
  ctx.registry.state.tags.delete(template.templateArn);
  return {};
}

/**
 * A temporary claim certificate (trusted-user fleet provisioning): ACTIVE for five minutes, then
 * INACTIVE; it may only use the fleet-provisioning topics of this template (see
 * {@link IotModel.policyDocumentsOfPrincipal}).
 */
export async function createProvisioningClaim(
  ctx: ControlPlaneContext,
  input: Iot.CreateProvisioningClaimRequest,
): Promise<Iot.CreateProvisioningClaimResponse> {
  ctx.throttle('CreateProvisioningClaim');
  const template = ctx.registry.requireTemplate(input.templateName);
  if (template.type !== 'FLEET_PROVISIONING') throw invalidRequest(`Template ${template.templateName} is not a FLEET_PROVISIONING template`);
  if (!template.enabled) throw invalidRequest(`Template ${template.templateName} is disabled`);
  const issued = await ctx.issuer.issueWithNewKey(() => CLAIM_LIFETIME_MS / (24 * 60 * 60 * 1000));
  const expiration = new Date(ctx.clock() + CLAIM_LIFETIME_MS);
  const record = ctx.registry.addCertificate(issued.certificatePem, inspectCertificate(issued.certificatePem), 'ACTIVE', {
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
export async function registerThing(ctx: ControlPlaneContext, input: Iot.RegisterThingRequest): Promise<Iot.RegisterThingResponse> {
  ctx.throttle('RegisterThing');
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
    outcome = await applyProvisioningPlan(ctx.registry, ctx.issuer, plan, {});
  } catch (error) {
    if (error instanceof IotServiceError) throw iotError('ResourceRegistrationFailureException', error.message);
    throw error;
  }
  return { certificatePem: outcome.certificatePem, resourceArns: outcome.resourceArns };
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
