import { CertificateSubjectField } from './certificate-subject-field';
import { activatedCertificateWithPolicy, CERTIFICATE_ID_PARAMETER, parseTemplateBody } from '../core/provisioning-template';

/** What a JITP template reads from the device certificate. */
const CERTIFICATE_PARAMETER_PREFIX = 'AWS::IoT::Certificate::';
/** AWS IoT fills in only these parameters for JITP: the subject fields and the certificate id. */
const JITP_PARAMETERS = [
  ...Object.values(CertificateSubjectField).map((field) => `${CERTIFICATE_PARAMETER_PREFIX}${field}`),
  CERTIFICATE_ID_PARAMETER,
];

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
      ...activatedCertificateWithPolicy(devicePolicyName),
    },
  };
}

/** Thing attribute names for subject fields: `Organization` -> `organization`. */
function attributeName(field: CertificateSubjectField): string {
  return field.charAt(0).toLowerCase() + field.slice(1);
}

/** Checks a user's JITP template body at synth (see parseTemplateBody) and returns it parsed. */
export function parseJitpTemplateBody(body: string, prop: string, policyNamePlaceholder: string): Record<string, any> {
  return parseTemplateBody(body, {
    prop,
    policyNamePlaceholder,
    sections: ['Parameters', 'Mappings', 'Conditions', 'Resources'],
    checkParameterName: (name) => {
      if (!JITP_PARAMETERS.includes(name)) {
        throw new Error(`${prop}: parameter '${name}' is not one AWS IoT fills in for JITP; a JITP template may declare only ${JITP_PARAMETERS.join(', ')}`);
      }
    },
  });
}
