/** The subject fields of a device certificate, named as `lambda-assets/shared/pki` names them. */
export interface CertificateSubjectFields {
  readonly commonName?: string;
  readonly countryName?: string;
  readonly stateName?: string;
  readonly localityName?: string;
  readonly organizationName?: string;
  readonly organizationUnitName?: string;
  readonly serialNumber?: string;
  readonly dnQualifier?: string;
}

/**
 * Subject field -> the JITP template parameter AWS IoT fills from it (AWS IoT Developer Guide,
 * "Just-in-time provisioning"). The locality has no JITP parameter.
 */
const SUBJECT_PARAMETERS: ReadonlyArray<readonly [keyof CertificateSubjectFields, string]> = [
  ['commonName', 'AWS::IoT::Certificate::CommonName'],
  ['countryName', 'AWS::IoT::Certificate::Country'],
  ['organizationName', 'AWS::IoT::Certificate::Organization'],
  ['organizationUnitName', 'AWS::IoT::Certificate::OrganizationalUnit'],
  ['dnQualifier', 'AWS::IoT::Certificate::DistinguishedNameQualifier'],
  ['stateName', 'AWS::IoT::Certificate::StateName'],
  ['serialNumber', 'AWS::IoT::Certificate::SerialNumber'],
];

/** The parameter AWS IoT sets to the certificate's id (its own id, not anything in the certificate). */
export const CERTIFICATE_ID_PARAMETER = 'AWS::IoT::Certificate::Id';

/**
 * Every parameter JITP fills from the device certificate. A JITP template that declares one the
 * certificate lacks fails, Default or not ("The certificate must contain values for all of the
 * parameters in the template body"): pass this as evaluateProvisioningTemplate's `suppliedOnly`.
 */
export const JITP_CERTIFICATE_PARAMETERS: ReadonlySet<string> = new Set([
  CERTIFICATE_ID_PARAMETER,
  ...SUBJECT_PARAMETERS.map(([, parameter]) => parameter),
]);

/**
 * The parameters AWS IoT passes to a JITP template for a device certificate: its id, and one per
 * subject field the certificate has. Fields it lacks are left out, so a template declaring them fails.
 */
export function jitpParametersFromCertificate(info: {
  readonly certificateId: string;
  readonly subject: CertificateSubjectFields;
}): Record<string, string> {
  const parameters: Record<string, string> = { [CERTIFICATE_ID_PARAMETER]: info.certificateId };
  for (const [field, parameter] of SUBJECT_PARAMETERS) {
    const value = info.subject[field];
    if (value !== undefined) parameters[parameter] = value;
  }
  return parameters;
}
