import { pkiError } from './errors';
import { decodePem } from './pem';
import { requireAcceptedPublicKey } from './public-key-info';
import { subtle, x509, type Bytes, type CryptoKey } from './runtime';
import { subjectFieldsOf, type SubjectFields } from './subject';

export interface ParsedCsr {
  /** The requested subject's known fields; other attributes (emailAddress, ...) are dropped. */
  subject: SubjectFields;
  /** The requester's public key, imported for WebCrypto (extractable, so it can be certified). */
  publicKey: CryptoKey;
  /** 'RSA-2048', 'ECDSA-P256', 'ECDSA-P521', ... */
  keyDescription: string;
  /** The request's DER, exactly as sent: its hash identifies a repeated request. */
  der: Uint8Array;
}

// OpenSSL and most tools write "CERTIFICATE REQUEST"; some older ones (Netscape, certreq) "NEW CERTIFICATE REQUEST".
const CSR_LABELS = ['CERTIFICATE REQUEST', 'NEW CERTIFICATE REQUEST'];

/**
 * Parses a PKCS#10 CSR and checks its self-signature (proof that the requester holds the private
 * key). The key must be one AWS IoT accepts. The subject is returned as requested; the caller
 * decides whether to keep it and validates it when issuing.
 */
export async function parseCsr(pem: string): Promise<ParsedCsr> {
  const { der } = decodePem(pem, CSR_LABELS, 'CSR');
  let csr: x509.Pkcs10CertificateRequest;
  let subjectPublicKeyInfo: Bytes;
  try {
    csr = new x509.Pkcs10CertificateRequest(der);
    subjectPublicKeyInfo = new Uint8Array(csr.publicKey.rawData);
  } catch (error) {
    throw pkiError('MALFORMED_PEM', `CSR is not a valid PKCS#10 request (${(error as Error).message})`);
  }
  // Key policy first: WebCrypto cannot even import secp256k1 or Ed448 keys, and the caller
  // should hear "unsupported key", not "bad signature".
  const keyDescription = requireAcceptedPublicKey(subjectPublicKeyInfo, 'the CSR key');

  let signatureValid = false;
  try {
    signatureValid = await csr.verify();
  } catch {
    signatureValid = false; // an unparseable signature value is just a signature that does not verify
  }
  if (!signatureValid) {
    throw pkiError('BAD_CSR_SIGNATURE', 'the CSR signature does not verify with its own public key');
  }

  let subject: SubjectFields;
  try {
    subject = subjectFieldsOf(csr.subjectName);
  } catch (error) {
    throw pkiError('MALFORMED_PEM', `the CSR subject does not parse (${(error as Error).message})`);
  }
  const publicKey = await subtle.importKey('spki', subjectPublicKeyInfo, keyDescription.importParams, true, ['verify']);
  return { subject, publicKey, keyDescription: keyDescription.label, der };
}
