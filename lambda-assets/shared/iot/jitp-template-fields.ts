import type { SubjectFields } from '../pki';

/**
 * The subject fields a JITP provisioning template reads from the device certificate.
 *
 * AWS IoT fills the template's `AWS::IoT::Certificate::<X>` parameters from the certificate
 * subject, and "the certificate must contain values for all of the parameters in the template
 * body": a certificate without one of them is registered, its provisioning fails, and it stays
 * PENDING_ACTIVATION on every connect. So whoever issues certificates for a JITP CA checks this
 * first, before the certificate exists.
 */

const CERTIFICATE_PARAMETER_PREFIX = 'AWS::IoT::Certificate::';

/** The parameter AWS IoT fills with the certificate id; not a subject field, always available. */
export const CERTIFICATE_ID_PARAMETER = `${CERTIFICATE_PARAMETER_PREFIX}Id`;

/** Each certificate parameter AWS IoT defines (AWS-FACTS.md), and the subject field it comes from. */
export const CERTIFICATE_PARAMETER_FIELDS: Readonly<Record<string, keyof SubjectFields>> = Object.freeze({
  [`${CERTIFICATE_PARAMETER_PREFIX}CommonName`]: 'commonName',
  [`${CERTIFICATE_PARAMETER_PREFIX}Country`]: 'countryName',
  [`${CERTIFICATE_PARAMETER_PREFIX}Organization`]: 'organizationName',
  [`${CERTIFICATE_PARAMETER_PREFIX}OrganizationalUnit`]: 'organizationUnitName',
  [`${CERTIFICATE_PARAMETER_PREFIX}DistinguishedNameQualifier`]: 'dnQualifier',
  [`${CERTIFICATE_PARAMETER_PREFIX}StateName`]: 'stateName',
  [`${CERTIFICATE_PARAMETER_PREFIX}SerialNumber`]: 'serialNumber',
});

/** A subject field the certificate must carry, and the template parameter that reads it. */
export interface RequiredSubjectField {
  readonly field: keyof SubjectFields;
  readonly parameter: string;
  /** What AWS IoT accepts where the template puts the value (a thing name, an attribute), if anywhere checked. */
  readonly valueRules?: readonly ValueRule[];
}

/** Where a template puts a certificate value, and what AWS IoT accepts there. */
export interface ValueRule {
  /** e.g. `the thing name`, `thing attribute 'organization'`. */
  readonly usedAs: string;
  readonly pattern: RegExp;
  readonly maxLength: number;
  readonly allowed: string;
}

/** CreateThing's thingName: 1-128 of [a-zA-Z0-9:_-]. */
const THING_NAME_RULE = { pattern: /^[a-zA-Z0-9:_-]+$/, maxLength: 128, allowed: 'letters, digits and :_-' };
/** AttributePayload values: at most 800 of [a-zA-Z0-9_.,@/:#=[\]-] (no spaces). */
const ATTRIBUTE_VALUE_RULE = { pattern: /^[a-zA-Z0-9_.,@/:#=[\]-]*$/, maxLength: 800, allowed: 'letters, digits and _.,@/:#=[]- (no spaces)' };

/** The template is not one any certificate can satisfy (not JSON, or a certificate parameter AWS IoT does not define). */
export class UnusableTemplateError extends Error {
  constructor(problem: string) {
    super(problem);
    this.name = 'UnusableTemplateError';
  }
}

/**
 * The subject fields a certificate needs for this template, in the template's parameter order.
 * Parameters that do not come from the certificate (no `AWS::IoT::Certificate::` prefix) are
 * not the certificate's concern and are skipped.
 */
export function requiredSubjectFields(templateBody: string): RequiredSubjectField[] {
  let template: unknown;
  try {
    template = JSON.parse(templateBody);
  } catch {
    throw new UnusableTemplateError('the provisioning template body is not JSON');
  }
  if (!isObject(template)) throw new UnusableTemplateError('the provisioning template body is not a JSON object');
  const parameters = template.Parameters;
  if (parameters === undefined) return [];
  if (!isObject(parameters)) throw new UnusableTemplateError('the provisioning template\'s Parameters is not an object');

  const required: RequiredSubjectField[] = [];
  for (const parameter of Object.keys(parameters)) {
    if (!parameter.startsWith(CERTIFICATE_PARAMETER_PREFIX) || parameter === CERTIFICATE_ID_PARAMETER) continue;
    const field = Object.prototype.hasOwnProperty.call(CERTIFICATE_PARAMETER_FIELDS, parameter)
      ? CERTIFICATE_PARAMETER_FIELDS[parameter]
      : undefined;
    if (!field) {
      throw new UnusableTemplateError(`the provisioning template declares ${parameter}, which AWS IoT does not take from certificates`);
    }
    required.push({ field, parameter, valueRules: valueRulesOf(template.Resources, parameter) });
  }
  return required;
}

/**
 * Where the template's thing resources use the parameter directly (`{"Ref": parameter}`) as the
 * thing name or an attribute value: a value AWS IoT refuses there fails provisioning just like a
 * missing field. Values the template transforms (Fn::Join, ...) are left to AWS IoT.
 */
function valueRulesOf(resources: unknown, parameter: string): ValueRule[] | undefined {
  if (!isObject(resources)) return undefined;
  const rules: ValueRule[] = [];
  const isRef = (value: unknown) => isObject(value) && value.Ref === parameter;
  for (const resource of Object.values(resources)) {
    if (!isObject(resource) || resource.Type !== 'AWS::IoT::Thing' || !isObject(resource.Properties)) continue;
    if (isRef(resource.Properties.ThingName)) rules.push({ usedAs: 'the thing name', ...THING_NAME_RULE });
    const attributes = resource.Properties.AttributePayload;
    if (!isObject(attributes)) continue;
    for (const [name, value] of Object.entries(attributes)) {
      if (isRef(value)) rules.push({ usedAs: `thing attribute '${name}'`, ...ATTRIBUTE_VALUE_RULE });
    }
  }
  return rules.length > 0 ? rules : undefined;
}

/** The first value the template would put where AWS IoT refuses it, with the rule it breaks. */
export function unacceptableSubjectValue(
  subject: SubjectFields, required: readonly RequiredSubjectField[],
): { readonly required: RequiredSubjectField; readonly rule: ValueRule } | undefined {
  for (const candidate of required) {
    const value = subject[candidate.field];
    if (value === undefined) continue;
    const rule = candidate.valueRules?.find((r) => value.length > r.maxLength || !r.pattern.test(value));
    if (rule) return { required: candidate, rule };
  }
  return undefined;
}

/** The first required field the subject lacks (an empty value counts as missing), or undefined. */
export function missingSubjectField(subject: SubjectFields, required: readonly RequiredSubjectField[]): RequiredSubjectField | undefined {
  return required.find(({ field }) => !subject[field]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
