/**
 * The PKI the handlers share: keys from Node's WebCrypto, certificates and CSRs with
 * @peculiar/x509, RSA and ECDSA alike. Import from here, not from the files behind it.
 */
export { KEY_ALGORITHMS, isKeyAlgorithm } from './algorithms';
export type { KeyAlgorithm } from './algorithms';
export type { SubjectFields } from './subject';
export { subjectTextProblem, validateSubject } from './subject';
export { PkiError } from './errors';
export type { PkiErrorCode } from './errors';
export type { CertificateAuthority, SignatureParams } from './authority';
export type { CertificateSigner, WebCryptoSigner } from './signer';
export { signatureParamsForPublicKey, webCryptoSigner } from './signer';
export { generateKeyPair, exportPrivateKeyPem, exportPublicKeyPem } from './keys';
export { createCaCertificate, createSelfSignedCa, loadCertificateAuthority, loadCertificateAuthorityWithSigner } from './ca';
export type { GeneratedCa, SelfSignedCa } from './ca';
export { createVerificationCertificate } from './verification';
export { issueDeviceCertificate, issueDeviceCertificateWithNewKey } from './device';
export { issueServerCertificateWithNewKey } from './server';
export { parseCsr } from './csr';
export type { ParsedCsr } from './csr';
export { inspectCertificate, certificateIdOf } from './inspect';
export type { CertificateInfo } from './inspect';
export { assertAcceptableCaCertificate } from './ca-acceptance';
export { isIssuedBy } from './issued-by';
export { certifiesKey } from './key-match';
export { encodePem } from './pem';
