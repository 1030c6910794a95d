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
}

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
    required.push({ field, parameter });
  }
  return required;
}

/** The first required field the subject lacks (an empty value counts as missing), or undefined. */
export function missingSubjectField(subject: SubjectFields, required: readonly RequiredSubjectField[]): RequiredSubjectField | undefined {
  return required.find(({ field }) => !subject[field]);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
