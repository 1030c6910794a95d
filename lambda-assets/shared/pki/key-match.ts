import { parseCertificatePem } from './certificate-parsing';
import { subtle, type CryptoKey } from './runtime';

/**
 * Whether a certificate certifies the given public key (same SubjectPublicKeyInfo): a CSR sent
 * again for a key that already holds a certificate is a repeated request, not a new device.
 * A certificate that does not parse certifies nothing.
 */
export async function certifiesKey(certificatePem: string, publicKey: CryptoKey): Promise<boolean> {
  let certificateKey: Buffer;
  try {
    certificateKey = Buffer.from(parseCertificatePem(certificatePem, 'certificate').certificate.publicKey.rawData);
  } catch {
    return false;
  }
  const requestKey = Buffer.from(await subtle.exportKey('spki', publicKey));
  return certificateKey.equals(requestKey);
}
