import { parseCertificatePem } from './certificate-parsing';
import { sameDistinguishedName, verifiesWith } from './signature-check';

/**
 * True if `issuerPem` issued `certificatePem`: the certificate's issuer DN is the issuer's
 * subject DN and its signature verifies with the issuer's public key. Dates are not checked.
 * MALFORMED_PEM if either input is not a certificate.
 */
export async function isIssuedBy(certificatePem: string, issuerPem: string): Promise<boolean> {
  const { certificate } = parseCertificatePem(certificatePem, 'certificate');
  const { certificate: issuer } = parseCertificatePem(issuerPem, 'issuer certificate');
  if (!sameDistinguishedName(certificate.issuerName, issuer.subjectName)) {
    return false;
  }
  return verifiesWith(certificate, issuer);
}
