import { derOctetString, derSequence } from './der-writer';
import { x509 } from './runtime';

// no-bitwise is on in this repo; key usage flags are distinct bits, so adding them is the same as OR-ing them.
const CA_KEY_USAGES = x509.KeyUsageFlags.keyCertSign + x509.KeyUsageFlags.cRLSign;
// keyEncipherment only means something for RSA (TLS RSA key exchange); an EC key cannot encipher.
const RSA_DEVICE_KEY_USAGES = x509.KeyUsageFlags.digitalSignature + x509.KeyUsageFlags.keyEncipherment;
const EC_DEVICE_KEY_USAGES = x509.KeyUsageFlags.digitalSignature;

const derOf = (extension: x509.Extension): Buffer => Buffer.from(extension.rawData);

// Extensions that are the same in every certificate of a kind are encoded once per process,
// by @peculiar/x509; issuing then only copies their bytes.
const CA_BASIC_CONSTRAINTS = derOf(new x509.BasicConstraintsExtension(true, undefined, true));
const CA_KEY_USAGE = derOf(new x509.KeyUsagesExtension(CA_KEY_USAGES, true));
const END_ENTITY_BASIC_CONSTRAINTS = derOf(new x509.BasicConstraintsExtension(false, undefined, true));
const RSA_DEVICE_KEY_USAGE = derOf(new x509.KeyUsagesExtension(RSA_DEVICE_KEY_USAGES, true));
const EC_DEVICE_KEY_USAGE = derOf(new x509.KeyUsagesExtension(EC_DEVICE_KEY_USAGES, true));
const CLIENT_AUTH = derOf(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth], false));
const SERVER_AUTH = derOf(new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth], false));

/** OBJECT IDENTIFIER 2.5.29.14 (id-ce-subjectKeyIdentifier), DER. */
const SUBJECT_KEY_IDENTIFIER_OID = Buffer.from('0603551d0e', 'hex');

/**
 * subjectKeyIdentifier, non-critical: Extension { extnID, extnValue OCTET STRING { KeyIdentifier
 * OCTET STRING } }. Written by hand because it is the one extension that changes per certificate,
 * and going through the library's object costs more than the rest of the certificate.
 */
export function subjectKeyIdentifierExtension(keyIdentifierHex: string): Buffer {
  return derSequence(SUBJECT_KEY_IDENTIFIER_OID, derOctetString(derOctetString(Buffer.from(keyIdentifierHex, 'hex'))));
}

/** authorityKeyIdentifier pointing at the issuer's subject key identifier (built once per CA). */
export function authorityKeyIdentifierExtension(issuerKeyIdentifierHex: string): Buffer {
  return derOf(new x509.AuthorityKeyIdentifierExtension(issuerKeyIdentifierHex));
}

/** A root CA: CA:TRUE and keyCertSign + cRLSign, both critical, plus its subject key identifier. */
export function caExtensions(subjectKeyIdentifierHex: string): Buffer[] {
  return [CA_BASIC_CONSTRAINTS, CA_KEY_USAGE, subjectKeyIdentifierExtension(subjectKeyIdentifierHex)];
}

/** A device (TLS client) certificate for AWS IoT. */
export function deviceExtensions(deviceKeyFamily: 'RSA' | 'ECDSA', authorityKeyIdentifier: Buffer, subjectKeyIdentifierHex: string): Buffer[] {
  return [
    END_ENTITY_BASIC_CONSTRAINTS,
    deviceKeyFamily === 'RSA' ? RSA_DEVICE_KEY_USAGE : EC_DEVICE_KEY_USAGE,
    CLIENT_AUTH,
    authorityKeyIdentifier,
    subjectKeyIdentifierExtension(subjectKeyIdentifierHex),
  ];
}

/** The verification certificate only proves we hold the CA key; it is never used for TLS. */
export function verificationExtensions(authorityKeyIdentifier: Buffer, subjectKeyIdentifierHex: string): Buffer[] {
  return [END_ENTITY_BASIC_CONSTRAINTS, authorityKeyIdentifier, subjectKeyIdentifierExtension(subjectKeyIdentifierHex)];
}

/** A TLS server certificate (the local cloud's endpoints): serverAuth and the names clients check. */
export function serverExtensions(
  keyFamily: 'RSA' | 'ECDSA',
  authorityKeyIdentifier: Buffer,
  subjectKeyIdentifierHex: string,
  names: { dnsNames: readonly string[]; ipAddresses: readonly string[] },
): Buffer[] {
  const alternativeNames = new x509.SubjectAlternativeNameExtension([
    ...names.dnsNames.map((value) => ({ type: 'dns' as const, value })),
    ...names.ipAddresses.map((value) => ({ type: 'ip' as const, value })),
  ], false);
  return [
    END_ENTITY_BASIC_CONSTRAINTS,
    keyFamily === 'RSA' ? RSA_DEVICE_KEY_USAGE : EC_DEVICE_KEY_USAGE,
    SERVER_AUTH,
    derOf(alternativeNames),
    authorityKeyIdentifier,
    subjectKeyIdentifierExtension(subjectKeyIdentifierHex),
  ];
}
