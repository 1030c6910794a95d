/**
 * Subject fields of a device certificate that AWS IoT passes to a JITP
 * template, as `AWS::IoT::Certificate::<value>` parameters.
 */
export enum CertificateSubjectField {
  /** CN (`AWS::IoT::Certificate::CommonName`). */
  COMMON_NAME = 'CommonName',
  /** C (`AWS::IoT::Certificate::Country`). */
  COUNTRY = 'Country',
  /** O (`AWS::IoT::Certificate::Organization`). */
  ORGANIZATION = 'Organization',
  /** OU (`AWS::IoT::Certificate::OrganizationalUnit`). */
  ORGANIZATIONAL_UNIT = 'OrganizationalUnit',
  /** dnQualifier (`AWS::IoT::Certificate::DistinguishedNameQualifier`). */
  DISTINGUISHED_NAME_QUALIFIER = 'DistinguishedNameQualifier',
  /** ST (`AWS::IoT::Certificate::StateName`). */
  STATE_NAME = 'StateName',
  /** serialNumber, the subject attribute (`AWS::IoT::Certificate::SerialNumber`), not the certificate's serial. */
  SERIAL_NUMBER = 'SerialNumber',
}
