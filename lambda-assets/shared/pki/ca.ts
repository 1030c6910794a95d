import { createPrivateKey, randomBytes } from 'node:crypto';
import { requireKeyAlgorithm, type KeyAlgorithm } from './algorithms';
import { signingAlgorithmFor, signingContextOf, type CertificateAuthority } from './authority';
import { isCaCertificate, parseCertificatePem } from './certificate-parsing';
import { signCertificate } from './certificate-signing';
import { pkiError } from './errors';
import { caExtensions } from './extensions';
import { exportPrivateKeyPem, exportSubjectPublicKeyInfo, generateKeyPair } from './keys';
import { decodePem, encodePem } from './pem';
import { keyIdentifierOf, requireAcceptedPublicKey } from './public-key-info';
import { subtle, x509, type Bytes, type CryptoKey, type EcKeyImportParams, type RsaHashedImportParams } from './runtime';
import { checkedSigner, requireSignerFits, webCryptoSigner, type CertificateSigner } from './signer';
import { encodeSubject, validateSubject, type SubjectFields } from './subject';
import { validityWindow } from './validity';

/** A self-signed CA: its certificate, its public key and, ready to sign, its authority. */
export interface SelfSignedCa {
  certificatePem: string;
  publicKeyPem: string;
  /** AWS IoT's id for the CA certificate (lowercase hex SHA-256 of the DER). */
  certificateId: string;
  /** The new CA, ready to sign without loading anything again. */
  authority: CertificateAuthority;
}

/** A CA whose key was made here: the private key comes with it, for the vault. */
export interface GeneratedCa extends SelfSignedCa {
  privateKeyPem: string;
}

export interface CreateCaOptions {
  subject: SubjectFields;
  keyAlgorithm: KeyAlgorithm;
  validityDays: number;
  /** Issuance time; defaults to the current time. */
  now?: Date;
}

export interface SelfSignedCaOptions {
  subject: SubjectFields;
  validityDays: number;
  /** DER SubjectPublicKeyInfo of the CA key (for a KMS key, what GetPublicKey answers). */
  subjectPublicKeyInfo: Uint8Array;
  /** What signs with the CA key: it must sign as that key does (see signatureParamsForPublicKey). */
  signer: CertificateSigner;
  /** Issuance time; defaults to the current time. */
  now?: Date;
}

/** Creates a self-signed root CA for AWS IoT (basicConstraints CA:TRUE, keyCertSign + cRLSign) with a new key made here. */
export async function createCaCertificate(options: CreateCaOptions): Promise<GeneratedCa> {
  const keyAlgorithm = requireKeyAlgorithm(options.keyAlgorithm, 'keyAlgorithm');
  // Validated before the (for RSA, slow) key generation, so bad input costs nothing.
  validateSubject(options.subject);
  validityWindow(options.validityDays, options.now);
  const keys = await generateKeyPair(keyAlgorithm);
  const ca = await createSelfSignedCa({
    subject: options.subject,
    validityDays: options.validityDays,
    now: options.now,
    subjectPublicKeyInfo: await exportSubjectPublicKeyInfo(keys.publicKey),
    signer: webCryptoSigner(keys.privateKey),
  });
  return { ...ca, privateKeyPem: await exportPrivateKeyPem(keys.privateKey) };
}

/**
 * Creates a self-signed root CA whose key `signer` holds: a key made here, or one that never
 * leaves AWS KMS. The certificate is the same either way. Its signature is checked with the
 * public key before it is returned, so a signer holding another key fails here (KEY_MISMATCH).
 */
export async function createSelfSignedCa(options: SelfSignedCaOptions): Promise<SelfSignedCa> {
  const subject = encodeSubject(validateSubject(options.subject));
  const validity = validityWindow(options.validityDays, options.now);
  const subjectPublicKeyInfo = new Uint8Array(options.subjectPublicKeyInfo);
  requireSignerFits(options.signer, subjectPublicKeyInfo, 'the CA key');
  const signer = checkedSigner(options.signer, subjectPublicKeyInfo, 'the CA key');
  const signed = await signCertificate(
    { issuerName: subject, signer },
    { subject, subjectPublicKeyInfo, validity, extensions: caExtensions(keyIdentifierOf(subjectPublicKeyInfo)) },
  );
  // Parsed once here; the authority keeps it, so issuing never parses the CA certificate again.
  const certificate = new x509.X509Certificate(new Uint8Array(signed.der));
  const authority: CertificateAuthority = { certificate, signer: options.signer, certificatePem: signed.certificatePem };
  signingContextOf(authority);
  return {
    certificatePem: signed.certificatePem,
    publicKeyPem: encodePem(subjectPublicKeyInfo, 'PUBLIC KEY'),
    certificateId: signed.certificateId,
    authority,
  };
}

/**
 * Loads a CA from PEM (ours from the vault, or one a user brings). The key algorithm comes
 * from the certificate; the private key may be PKCS#8, PKCS#1 ("RSA PRIVATE KEY") or SEC1
 * ("EC PRIVATE KEY"), unencrypted. The key is imported once, non-extractable, and proven to
 * belong to the certificate by signing a random challenge.
 */
export async function loadCertificateAuthority(certificatePem: string, privateKeyPem: string): Promise<CertificateAuthority> {
  const { certificate } = parseCertificatePem(certificatePem, 'CA certificate');
  if (!isCaCertificate(certificate)) {
    throw pkiError('NOT_A_CA', 'the CA certificate lacks basicConstraints CA:TRUE, so devices it signs would not verify');
  }
  const subjectPublicKeyInfo = new Uint8Array(certificate.publicKey.rawData);
  const keyDescription = requireAcceptedPublicKey(subjectPublicKeyInfo, 'the CA certificate key');

  const privateKey = await importPrivateKey(privateKeyPem, keyDescription.importParams, keyDescription.label);
  await provePrivateKeyMatches(privateKey, subjectPublicKeyInfo, keyDescription.importParams);

  const authority: CertificateAuthority = { certificate, signer: webCryptoSigner(privateKey), certificatePem };
  signingContextOf(authority); // derive issuer name, algorithm and AKI now (cold start), not on the first issuance
  return authority;
}

/**
 * Loads a CA whose key is held elsewhere (AWS KMS) from its certificate and a signer for that
 * key. Every signature the authority makes is checked with the certificate's public key before
 * anything is built on it, so a signer holding another key fails with KEY_MISMATCH instead of
 * issuing certificates no device could use.
 */
export function loadCertificateAuthorityWithSigner(certificatePem: string, signer: CertificateSigner): CertificateAuthority {
  const { certificate } = parseCertificatePem(certificatePem, 'CA certificate');
  if (!isCaCertificate(certificate)) {
    throw pkiError('NOT_A_CA', 'the CA certificate lacks basicConstraints CA:TRUE, so devices it signs would not verify');
  }
  const subjectPublicKeyInfo = new Uint8Array(certificate.publicKey.rawData);
  requireSignerFits(signer, subjectPublicKeyInfo, 'the CA certificate key');
  const authority: CertificateAuthority = {
    certificate,
    signer: checkedSigner(signer, subjectPublicKeyInfo, 'the CA certificate key'),
    certificatePem,
  };
  signingContextOf(authority);
  return authority;
}

const PRIVATE_KEY_LABELS = ['PRIVATE KEY', 'RSA PRIVATE KEY', 'EC PRIVATE KEY'];

async function importPrivateKey(
  privateKeyPem: string,
  importParams: RsaHashedImportParams | EcKeyImportParams,
  certificateKeyLabel: string,
): Promise<CryptoKey> {
  const { label, der } = decodePem(privateKeyPem, PRIVATE_KEY_LABELS, 'CA private key');
  let pkcs8: Bytes;
  try {
    // Node's parser reads PKCS#1 and SEC1 as well (WebCrypto reads PKCS#8 only), and failing
    // here, before the import, tells a malformed key apart from a key of the wrong type.
    const keyObject = createPrivateKey({
      key: Buffer.from(der),
      format: 'der',
      type: label === 'RSA PRIVATE KEY' ? 'pkcs1' : label === 'EC PRIVATE KEY' ? 'sec1' : 'pkcs8',
    });
    pkcs8 = new Uint8Array(keyObject.export({ type: 'pkcs8', format: 'der' }));
  } catch (error) {
    throw pkiError('MALFORMED_PEM', `the CA private key does not parse (${(error as Error).message})`);
  }
  try {
    return await subtle.importKey('pkcs8', pkcs8, importParams, false, ['sign']);
  } catch {
    throw pkiError('KEY_MISMATCH', `the CA private key does not fit the CA certificate's ${certificateKeyLabel} key`);
  }
}

async function provePrivateKeyMatches(
  privateKey: CryptoKey,
  subjectPublicKeyInfo: Bytes,
  importParams: RsaHashedImportParams | EcKeyImportParams,
): Promise<void> {
  const signatureParams = signingAlgorithmFor(privateKey);
  const publicKey = await subtle.importKey('spki', subjectPublicKeyInfo, importParams, false, ['verify']);
  const challenge = randomBytes(32);
  const signature = await subtle.sign(signatureParams, privateKey, challenge);
  if (!await subtle.verify(signatureParams, publicKey, signature, challenge)) {
    throw pkiError('KEY_MISMATCH', 'the CA private key does not belong to the CA certificate');
  }
}
