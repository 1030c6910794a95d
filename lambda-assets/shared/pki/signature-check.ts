import { x509 } from './runtime';

/**
 * Two DNs are the same if their DER is. Exact, and what CAs made by us or OpenSSL produce; it
 * does not apply X.520 case-folding, which AWS IoT and TLS stacks do not rely on either for our certs.
 */
export function sameDistinguishedName(a: x509.Name, b: x509.Name): boolean {
  return Buffer.from(a.toArrayBuffer()).equals(Buffer.from(b.toArrayBuffer()));
}

/** Subject and issuer are the same DN. */
export function isSelfIssued(certificate: x509.X509Certificate): boolean {
  return sameDistinguishedName(certificate.subjectName, certificate.issuerName);
}

/** Signature check only (no dates, no names); any failure to verify counts as "does not verify". */
export async function verifiesWith(certificate: x509.X509Certificate, issuer: x509.X509Certificate): Promise<boolean> {
  try {
    return await certificate.verify({ publicKey: issuer, signatureOnly: true });
  } catch {
    return false;
  }
}
