import { pkiError } from './errors';
import { decodePem } from './pem';
import { x509, type Bytes } from './runtime';

export interface ParsedCertificate {
  readonly certificate: x509.X509Certificate;
  readonly der: Bytes;
}

/** Parses one PEM certificate; MALFORMED_PEM for anything that is not exactly that. */
export function parseCertificatePem(pem: unknown, what: string): ParsedCertificate {
  const { der } = decodePem(pem, ['CERTIFICATE'], what);
  try {
    return { certificate: new x509.X509Certificate(der), der };
  } catch (error) {
    throw pkiError('MALFORMED_PEM', `${what} is not a valid X.509 certificate (${(error as Error).message})`);
  }
}

/** True if the certificate carries basicConstraints with cA set. */
export function isCaCertificate(certificate: x509.X509Certificate): boolean {
  return certificate.getExtension(x509.BasicConstraintsExtension)?.ca === true;
}
