import { isCaCertificate, parseCertificatePem } from './certificate-parsing';
import { certificateIdOfDer } from './certificate-signing';
import { DER_TAG, readElement } from './der';
import { PkiError, pkiError } from './errors';
import { decodePem } from './pem';
import { describePublicKey } from './public-key-info';
import { x509 } from './runtime';
import { EXTRA_ATTRIBUTE_NAMES, subjectFieldsOf, type SubjectFields } from './subject';

export interface CertificateInfo {
  /** AWS IoT's id: lowercase hex SHA-256 of the DER (64 chars). */
  certificateId: string;
  /** The known subject fields (first value of each). */
  subject: SubjectFields;
  /** Lowercase hex of the serial's value, as `openssl x509 -serial` prints it (no sign byte, no padding). */
  serialNumber: string;
  /** Issuer DN as text, e.g. "C=DE, O=Acme, CN=Acme Root" (certificate order, RFC 4514 escaping). */
  issuerName: string;
  /** Subject DN as text, same form as issuerName. */
  subjectName: string;
  notBefore: Date;
  notAfter: Date;
  /** basicConstraints CA:TRUE. */
  isCa: boolean;
  /** 'RSA-2048', 'ECDSA-P256', 'ECDSA-P521', 'Ed25519', ... (whether or not AWS IoT accepts it). */
  keyDescription: string;
}

/** Parses a PEM certificate synchronously. MALFORMED_PEM on anything that is not one certificate. */
export function inspectCertificate(pem: string): CertificateInfo {
  const { certificate, der } = parseCertificatePem(pem, 'certificate');
  try {
    return describeCertificate(certificate, der);
  } catch (error) {
    if (error instanceof PkiError) {
      throw error;
    }
    throw pkiError('MALFORMED_PEM', `certificate fields do not parse (${(error as Error).message})`);
  }
}

/** The CertificateInfo of an already parsed certificate. */
export function describeCertificate(certificate: x509.X509Certificate, der: Uint8Array): CertificateInfo {
  return {
    certificateId: certificateIdOfDer(der),
    subject: subjectFieldsOf(certificate.subjectName),
    serialNumber: certificate.serialNumber.toLowerCase(),
    issuerName: distinguishedNameText(certificate.issuerName),
    subjectName: distinguishedNameText(certificate.subjectName),
    notBefore: certificate.notBefore,
    notAfter: certificate.notAfter,
    isCa: isCaCertificate(certificate),
    keyDescription: describePublicKey(new Uint8Array(certificate.publicKey.rawData)).label,
  };
}

function distinguishedNameText(name: x509.Name): string {
  // Re-wrapped with names for serialNumber and dnQualifier, which the library would print as OIDs.
  return new x509.Name(name.toArrayBuffer(), EXTRA_ATTRIBUTE_NAMES).toString();
}

/**
 * AWS IoT's certificate id of a PEM certificate: lowercase hex SHA-256 of its DER. Only checks
 * that the PEM holds one DER SEQUENCE, so it stays cheap enough for hot paths.
 */
export function certificateIdOf(pem: string): string {
  const { der } = decodePem(pem, ['CERTIFICATE'], 'certificate');
  const outer = readElement(der, 0);
  if (outer.tag !== DER_TAG.SEQUENCE || outer.end !== der.length) {
    throw pkiError('MALFORMED_PEM', 'certificate is not a single DER SEQUENCE');
  }
  return certificateIdOfDer(der);
}
