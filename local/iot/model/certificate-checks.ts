import { X509Certificate } from 'node:crypto';
import { iotError, invalidRequest, type IotServiceError } from './errors';
import {
  assertAcceptableCaCertificate,
  inspectCertificate,
  isIssuedBy,
  PkiError,
  type CertificateInfo,
} from '../../../lambda-assets/shared/pki';
import { certificateIdOfDer } from '../../../lambda-assets/shared/pki/certificate-signing';
import { describePublicKey } from '../../../lambda-assets/shared/pki/public-key-info';

/** Key types AWS IoT accepts in device certificates: RSA of at least 2048 bits, ECDSA on P-256/384/521. */
export function isAcceptedDeviceKey(keyDescription: string): boolean {
  const rsa = /^RSA-(\d+)$/.exec(keyDescription);
  if (rsa) return Number(rsa[1]) >= 2048;
  return ['ECDSA-P256', 'ECDSA-P384', 'ECDSA-P521'].includes(keyDescription);
}

/** Certificates parsed lately, by PEM: a device's first connect parses its certificate twice or more otherwise. */
const inspected = new Map<string, CertificateInfo>();
const INSPECTED_KEPT = 512;

/**
 * inspectCertificate, remembered for the last few hundred certificates: a JITP connect reads the certificate for
 * the template's parameters and again to check it before it is registered, and a parse costs milliseconds. What it answers is
 * shared: do not change it.
 */
export function inspectCertificateOnce(pem: string): CertificateInfo {
  const known = inspected.get(pem);
  if (known) return known;
  const info = Object.freeze(inspectCertificate(pem));
  inspected.set(pem, info);
  if (inspected.size > INSPECTED_KEPT) inspected.delete(inspected.keys().next().value as string);
  return info;
}

/** A PKI refusal as the CertificateValidationException AWS IoT answers with. */
export function certificateInvalid(error: unknown, what: string): IotServiceError {
  if (error instanceof PkiError) {
    return iotError('CertificateValidationException', `${what} is not valid: ${error.message}`);
  }
  return iotError('CertificateValidationException', `${what} is not valid`);
}

/**
 * Parses a device certificate a caller registers (RegisterCertificate, RegisterCertificateWithoutCA,
 * a provisioning template's CertificatePem) and refuses what AWS IoT refuses: not one PEM
 * certificate, or a key AWS IoT does not accept.
 */
export function inspectDeviceCertificate(pem: unknown, what = 'certificatePem'): CertificateInfo {
  if (typeof pem !== 'string' || pem.length === 0) throw invalidRequest(`${what} is required`);
  let info: CertificateInfo;
  try {
    info = inspectCertificateOnce(pem);
  } catch (error) {
    throw certificateInvalid(error, what);
  }
  assertAcceptedDeviceKey(info.keyDescription, what);
  return info;
}

/** CertificateValidationException for a key AWS IoT does not accept in a device certificate. */
function assertAcceptedDeviceKey(keyDescription: string, what: string): void {
  if (!isAcceptedDeviceKey(keyDescription)) {
    throw iotError('CertificateValidationException',
      `${what} has a ${keyDescription} key; AWS IoT accepts RSA of at least 2048 bits or ECDSA on P-256, P-384 or P-521`);
  }
}

/**
 * RegisterCACertificate's checks of the CA itself: a real CA (basicConstraints CA:TRUE, keyCertSign),
 * an accepted key and SHA-2 signature, currently valid. Throws CertificateValidationException.
 */
export async function inspectCaCertificate(pem: unknown, now: Date): Promise<CertificateInfo> {
  if (typeof pem !== 'string' || pem.length === 0) throw invalidRequest('caCertificate is required');
  try {
    return await assertAcceptableCaCertificate(pem, now);
  } catch (error) {
    throw certificateInvalid(error, 'caCertificate');
  }
}

/**
 * certificateMode DEFAULT's proof of possession: the verification certificate's subject CN is
 * the account's registration code (else RegistrationCodeValidationException) and the CA's key
 * signed it (else CertificateValidationException).
 */
export async function checkVerificationCertificate(verificationPem: unknown, caPem: string, registrationCode: string): Promise<void> {
  if (typeof verificationPem !== 'string' || verificationPem.length === 0) {
    throw invalidRequest('verificationCertificate is required when certificateMode is DEFAULT (use SNI_ONLY to register without one)');
  }
  let info: CertificateInfo;
  try {
    info = inspectCertificate(verificationPem);
  } catch (error) {
    throw certificateInvalid(error, 'verificationCertificate');
  }
  if (info.subject.commonName !== registrationCode) {
    throw iotError('RegistrationCodeValidationException',
      'The verification certificate\'s subject common name is not this account\'s registration code (GetRegistrationCode)');
  }
  if (!await signedBy(verificationPem, caPem)) {
    throw iotError('CertificateValidationException', 'The verification certificate is not signed by the CA certificate\'s private key');
  }
}

/** isIssuedBy, false instead of an error for input that does not parse. */
export async function signedBy(certificatePem: string, issuerPem: string): Promise<boolean> {
  try {
    return await isIssuedBy(certificatePem, issuerPem);
  } catch {
    return false;
  }
}

/** What registering a device certificate needs of it. */
export interface DeviceCertificateBasics {
  readonly certificateId: string;
  readonly notBefore: Date;
  readonly notAfter: Date;
}

/**
 * inspectDeviceCertificate's checks for a certificate a device presented in a TLS handshake, through Node's native
 * parser: JITR registers every new device this way, and in a burst of thousands the JavaScript ASN.1 parser's
 * two milliseconds per certificate, in clumps of hundreds of handshakes finishing together, held the local cloud's
 * main thread (and so every control-plane call) for a second at a time. The handshake has parsed the certificate
 * already, and a registered CA's signature on it has been checked, so only the key and the dates are needed.
 */
export function inspectPresentedDeviceCertificate(pem: string): DeviceCertificateBasics {
  const certificate = nativeCertificateOrUndefined(pem);
  if (!certificate) throw iotError('CertificateValidationException', 'certificatePem is not valid');
  // The key's label as inspectCertificate gives it, from the DER the native parser exports (no ASN.1 parse of the whole).
  const spki = certificate.publicKey.export({ type: 'spki', format: 'der' });
  assertAcceptedDeviceKey(describePublicKey(new Uint8Array(spki)).label, 'certificatePem');
  return {
    certificateId: certificateIdOfDer(certificate.raw),
    notBefore: new Date(certificate.validFrom),
    notAfter: new Date(certificate.validTo),
  };
}

/** The certificate as Node's native X509Certificate, or undefined for anything that does not parse as one. */
export function nativeCertificateOrUndefined(pem: string): X509Certificate | undefined {
  try {
    return new X509Certificate(pem);
  } catch {
    return undefined;
  }
}

/** Registered CAs as native certificates, by PEM: a handful per account, looked up on every first connect. */
const nativeCas = new Map<string, X509Certificate | null>();
const NATIVE_CAS_KEPT = 256;

/**
 * True if the CA whose PEM is given issued `certificate`: OpenSSL's issuer check (issuer name against the CA's
 * subject, key identifiers, the CA's key usage) and the signature, both native.
 *
 * The gateway asks this on every first connect of a device, so it avoids the JavaScript ASN.1 parser the
 * handlers' PKI uses (isIssuedBy): in a burst of devices connecting at once, parsing each certificate and the
 * CA again with it was most of the gateway's work. false for a CA PEM that does not parse.
 */
export function nativeIssuedBy(certificate: X509Certificate, caPem: string): boolean {
  let ca = nativeCas.get(caPem);
  if (ca === undefined) {
    ca = nativeCertificateOrUndefined(caPem) ?? null;
    nativeCas.set(caPem, ca);
    if (nativeCas.size > NATIVE_CAS_KEPT) nativeCas.delete(nativeCas.keys().next().value as string);
  }
  if (!ca || !certificate.checkIssued(ca)) return false;
  try {
    return certificate.verify(ca.publicKey);
  } catch {
    return false;
  }
}
