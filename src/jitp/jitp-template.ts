import { Stack, Token } from 'aws-cdk-lib';
import { Construct } from 'constructs';
import { CertificateSubjectField } from './certificate-subject-field';

/** What a JITP template reads from the device certificate. */
const CERTIFICATE_PARAMETER_PREFIX = 'AWS::IoT::Certificate::';
const CERTIFICATE_ID_PARAMETER = `${CERTIFICATE_PARAMETER_PREFIX}Id`;
/** AWS IoT fills in only these parameters for JITP: the subject fields and the certificate id. */
const JITP_PARAMETERS = [
  ...Object.values(CertificateSubjectField).map((field) => `${CERTIFICATE_PARAMETER_PREFIX}${field}`),
  CERTIFICATE_ID_PARAMETER,
];
const TEMPLATE_SECTIONS = ['Parameters', 'Mappings', 'Conditions', 'Resources'];
const RESOURCE_TYPES = ['AWS::IoT::Thing', 'AWS::IoT::Certificate', 'AWS::IoT::Policy'];
/** RegisterCACertificate and CreateProvisioningTemplate take template bodies of at most 10240 characters. */
export const MAX_TEMPLATE_BODY_LENGTH = 10240;
/** AWS IoT policy names are at most 128 characters: the longest the placeholder can become. */
const MAX_POLICY_NAME_LENGTH = 128;

/**
 * The default JITP template: the thing is named after the certificate's CN,
 * `attributeFields` become thing attributes, the certificate is activated and
 * the shared device policy attached. It reads nothing else from the
 * certificate, so it cannot fail on a field a device lacks (beyond those).
 */
export function defaultJitpTemplate(devicePolicyName: string, attributeFields: readonly CertificateSubjectField[]): Record<string, any> {
  const parameter = (field: string) => `${CERTIFICATE_PARAMETER_PREFIX}${field}`;
  const fields = [CertificateSubjectField.COMMON_NAME, ...attributeFields.filter((field) => field !== CertificateSubjectField.COMMON_NAME)];
  return {
    Parameters: Object.fromEntries([...fields.map(parameter), CERTIFICATE_ID_PARAMETER].map((name) => [name, { Type: 'String' }])),
    Resources: {
      thing: {
        Type: 'AWS::IoT::Thing',
        Properties: {
          ThingName: { Ref: parameter(CertificateSubjectField.COMMON_NAME) },
          AttributePayload: Object.fromEntries(attributeFields.map((field) => [attributeName(field), { Ref: parameter(field) }])),
        },
      },
      certificate: {
        Type: 'AWS::IoT::Certificate',
        Properties: { CertificateId: { Ref: CERTIFICATE_ID_PARAMETER }, Status: 'ACTIVE' },
      },
      policy: {
        Type: 'AWS::IoT::Policy',
        Properties: { PolicyName: devicePolicyName },
      },
    },
  };
}

/** Thing attribute names for subject fields: `Organization` -> `organization`. */
function attributeName(field: CertificateSubjectField): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

/**
 * Checks a user's JITP template body at synth, so a mistake fails `cdk synth`
 * rather than every device's first connect, and returns it parsed.
 */
export function parseJitpTemplateBody(body: string, prop: string, policyNamePlaceholder: string): Record<string, any> {
  if (Token.isUnresolved(body)) {
    throw new Error(`${prop} must be a JSON string known at synth (use ${policyNamePlaceholder} for the shared device policy's name)`);
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
    if (!TEMPLATE_SECTIONS.includes(section)) {
      throw new Error(`${prop}: unknown section '${section}'; a JITP template has ${TEMPLATE_SECTIONS.join(', ')}`);
    }
  }
  const parameters = checkParameters(document.Parameters ?? {}, prop);
  checkResources(document.Resources, prop, parameters);
  checkLength(document, prop, policyNamePlaceholder);
  return document;
}

function checkParameters(parameters: unknown, prop: string): string[] {
  if (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters)) {
    throw new Error(`${prop}: Parameters must be an object`);
  }
  for (const [name, declaration] of Object.entries(parameters)) {
    if (!JITP_PARAMETERS.includes(name)) {
      throw new Error(`${prop}: parameter '${name}' is not one AWS IoT fills in for JITP; a JITP template may declare only ${JITP_PARAMETERS.join(', ')}`);
    }
    if (typeof declaration !== 'object' || declaration === null || (declaration as Record<string, unknown>).Type !== 'String') {
      throw new Error(`${prop}: parameter '${name}' must be declared as { "Type": "String" }`);
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
      throw new Error(`${prop}: resource '${logicalId}' has Type ${JSON.stringify(resource?.Type)}; a JITP template may create ${RESOURCE_TYPES.join(', ')}`);
    }
  }
  const certificates = entries.filter(([, resource]) => resource.Type === 'AWS::IoT::Certificate');
  const certificateId = certificates[0]?.[1].Properties?.CertificateId;
  if (certificates.length !== 1 || certificateId?.Ref !== CERTIFICATE_ID_PARAMETER) {
    throw new Error(`${prop}: a JITP template needs exactly one AWS::IoT::Certificate resource with "CertificateId": {"Ref": "${CERTIFICATE_ID_PARAMETER}"}`);
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
