import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';

/** The parameter AWS IoT fills with the id of the certificate being provisioned. */
export const CERTIFICATE_ID_PARAMETER = 'AWS::IoT::Certificate::Id';
const RESOURCE_TYPES = ['AWS::IoT::Thing', 'AWS::IoT::Certificate', 'AWS::IoT::Policy'];
/** RegisterCACertificate and CreateProvisioningTemplate take template bodies of at most 10240 characters. */
export const MAX_TEMPLATE_BODY_LENGTH = 10240;
/** AWS IoT policy names are at most 128 characters: the longest the placeholder can become. */
const MAX_POLICY_NAME_LENGTH = 128;

/**
 * The resources every default template ends with: the certificate being provisioned, made ACTIVE,
 * and the shared device policy attached to it.
 */
export function activatedCertificateWithPolicy(devicePolicyName: string): Record<string, any> {
  return {
    certificate: {
      Type: 'AWS::IoT::Certificate',
      Properties: { CertificateId: { Ref: CERTIFICATE_ID_PARAMETER }, Status: 'ACTIVE' },
    },
    policy: {
      Type: 'AWS::IoT::Policy',
      Properties: { PolicyName: devicePolicyName },
    },
  };
}

/** What one kind of provisioning template (JITP, fleet provisioning) allows. */
export interface TemplateRules {
  /** The prop the body came from, named in every error. */
  readonly prop: string;
  /** The string users write for the shared device policy's name. */
  readonly policyNamePlaceholder: string;
  /** Top-level sections allowed. */
  readonly sections: readonly string[];
  /** Throws (naming the prop) when a parameter name is not allowed for this kind of template. */
  readonly checkParameterName: (name: string) => void;
}

/**
 * Checks a user's provisioning template body at synth, so a mistake fails
 * `cdk synth` rather than every device's provisioning, and returns it parsed.
 */
export function parseTemplateBody(body: string, rules: TemplateRules): Record<string, any> {
  const { prop } = rules;
  if (Token.isUnresolved(body)) {
    throw new Error(`${prop} must be a JSON string known at synth (use ${rules.policyNamePlaceholder} for the shared device policy's name)`);
  }
  let template: unknown;
  try {
    template = JSON.parse(body);
  } catch (error) {
    throw new Error(`${prop} is not valid JSON: ${(error as Error).message}`);
  }
  if (typeof template !== 'object' || template === null || Array.isArray(template)) {
    throw new Error(`${prop} must be a JSON object with Parameters and Resources`);
  }
  const document = template as Record<string, any>;
  for (const section of Object.keys(document)) {
    if (!rules.sections.includes(section)) {
      throw new Error(`${prop}: unknown section '${section}'; this template has ${rules.sections.join(', ')}`);
    }
  }
  const parameters = checkParameters(document.Parameters ?? {}, rules);
  checkResources(document.Resources, prop, parameters);
  checkLength(document, prop, rules.policyNamePlaceholder);
  return document;
}

function checkParameters(parameters: unknown, rules: TemplateRules): string[] {
  const { prop } = rules;
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new Error(`${prop}: Parameters must be an object`);
  }
  for (const [name, declaration] of Object.entries(parameters)) {
    rules.checkParameterName(name);
    const fields = declaration as Record<string, unknown> | null;
    if (typeof fields !== 'object' || fields === null || fields.Type !== 'String') {
      throw new Error(`${prop}: parameter '${name}' must be declared as { "Type": "String" }`);
    }
    if (fields.Default !== undefined && typeof fields.Default !== 'string') {
      throw new Error(`${prop}: parameter '${name}' has a Default that is not a string`);
    }
  }
  return Object.keys(parameters);
}

function checkResources(resources: unknown, prop: string, parameters: string[]): void {
  if (typeof resources !== 'object' || resources === null || Array.isArray(resources) || Object.keys(resources).length === 0) {
    throw new Error(`${prop}: Resources must be an object with at least the certificate resource`);
  }
  const entries = Object.entries(resources as Record<string, any>);
  for (const [logicalId, resource] of entries) {
    if (!RESOURCE_TYPES.includes(resource?.Type)) {
      throw new Error(`${prop}: resource '${logicalId}' has Type ${JSON.stringify(resource?.Type)}; a provisioning template may create ${RESOURCE_TYPES.join(', ')}`);
    }
  }
  const certificates = entries.filter(([, resource]) => resource.Type === 'AWS::IoT::Certificate');
  const certificateId = certificates[0]?.[1].Properties?.CertificateId;
  if (certificates.length !== 1 || certificateId?.Ref !== CERTIFICATE_ID_PARAMETER) {
    throw new Error(`${prop}: the template needs exactly one AWS::IoT::Certificate resource with "CertificateId": {"Ref": "${CERTIFICATE_ID_PARAMETER}"}`);
  }
  const known = new Set([...parameters, ...entries.map(([logicalId]) => logicalId)]);
  for (const reference of references(resources)) {
    if (!known.has(reference)) {
      throw new Error(`${prop}: {"Ref": "${reference}"} names neither a declared parameter nor a resource (declare it under Parameters)`);
    }
  }
}

function references(node: unknown): string[] {
  if (Array.isArray(node)) return node.flatMap(references);
  if (typeof node !== 'object' || node === null) return [];
  const object = node as Record<string, unknown>;
  const own = typeof object.Ref === 'string' ? [object.Ref] : [];
  return [...own, ...Object.values(object).flatMap(references)];
}

function checkLength(document: Record<string, any>, prop: string, policyNamePlaceholder: string): void {
  // The placeholder becomes a policy name CloudFormation generates: count its longest form.
  const longest = JSON.stringify(replaceStrings(document, policyNamePlaceholder, 'x'.repeat(MAX_POLICY_NAME_LENGTH)));
  if (longest.length > MAX_TEMPLATE_BODY_LENGTH) {
    throw new Error(`${prop} is ${longest.length} characters (with the policy name at its longest); AWS IoT accepts at most ${MAX_TEMPLATE_BODY_LENGTH}`);
  }
}

/** A copy of `node` in which every string equal to `from` becomes `to` (which may be a token). */
export function replaceStrings(node: unknown, from: string, to: string): any {
  if (node === from) return to;
  if (Array.isArray(node)) return node.map((item) => replaceStrings(item, from, to));
  if (typeof node === 'object' && node !== null) {
    return Object.fromEntries(Object.entries(node).map(([key, value]) => [key, replaceStrings(value, from, to)]));
  }
  return node;
}

/** The template as the JSON string AWS IoT takes, with CloudFormation references resolved at deploy time. */
export function renderTemplateBody(scope: Construct, template: Record<string, any>): string {
  return Stack.of(scope).toJsonString(template);
}
