import { IoTClient } from '@aws-sdk/client-iot';
import type { KMSClient } from '@aws-sdk/client-kms';
import { JitpCa, loadJitpCa } from './jitp-ca';
import { CsrRequest, DeviceCertificateRequest, KeyGenerationRequest } from './request';
import { ClientError } from '../shared/http/client-error';
import { AMAZON_ROOT_CA_PEMS } from '../shared/iot/amazon-root-cas';
import { missingSubjectField, unacceptableSubjectValue } from '../shared/iot/jitp-template-fields';
import { kmsSigner, parseKmsCaKeyRecord } from '../shared/kms/kms-ca-key';
import { describeError, Logger } from '../shared/logging/logger';
import {
  certificateIdOf,
  CertificateAuthority,
  inspectCertificate,
  issueDeviceCertificate,
  issueDeviceCertificateWithNewKey,
  loadCertificateAuthority,
  loadCertificateAuthorityWithSigner,
} from '../shared/pki';
import { CA_FILES, CaVault, IssuedCertificateRecord } from '../shared/vault/ca-vault';
import { VerifyDevice } from '../shared/verifier/invoke-verifier';

export interface GeneratorDeps {
  readonly iot: IoTClient;
  readonly vault: CaVault;
  /** Signs with the keys of CAs that AWS KMS holds. */
  readonly kms: KMSClient;
  /** Where the construct keeps the keys of the CAs it makes, so where to look first. */
  readonly caKeyStorage: 'VAULT' | 'KMS';
  /** Tag value that marks CAs as this construct's. */
  readonly registrarId: string;
  readonly verify: VerifyDevice;
  /** The account's ATS data endpoint (cached by the caller). */
  readonly dataEndpoint: () => Promise<string>;
  readonly logger: Logger;
}

/** The 200 answer of POST /deviceCertificateGenerate. */
export interface DeviceCertificateResponse {
  readonly certificateId: string;
  readonly certificatePem: string;
  readonly caCertificateId: string;
  readonly caCertificatePem: string;
  /** The device certificate, then the CA certificate: what the device presents in the TLS handshake. */
  readonly certificateChainPem: string;
  /** Only when the key was generated here: the one and only copy, never stored or logged. */
  readonly privateKeyPem?: string;
  readonly endpoint: string;
  readonly amazonRootCaPems: Readonly<Record<string, string>>;
}

/**
 * Issues a device certificate under a JITP CA. Nothing is created in AWS IoT: the device's
 * first connect registers the certificate and runs the CA's template. So the certificate is
 * checked against the template before it exists (a missing subject field would leave the
 * device PENDING_ACTIVATION for good), and the CA's verifier judges it before anyone sees it.
 */
export async function generateDeviceCertificate(deps: GeneratorDeps, request: DeviceCertificateRequest): Promise<DeviceCertificateResponse> {
  const ca = await loadJitpCa(deps.iot, deps.registrarId, request.caCertificateId);
  requireTemplateFields(ca, request);
  return request.kind === 'csr' ? certifyCsr(deps, ca, request) : certifyNewKey(deps, ca, request);
}

/**
 * CSR mode is idempotent: the certificate for a CSR is kept under the SHA-256 of the CSR's DER,
 * so the same CSR sent again (a retry after a lost answer, a factory line restarted) gets the
 * same certificate, after the verifier has judged it again, and never a second one.
 */
async function certifyCsr(deps: GeneratorDeps, ca: JitpCa, request: CsrRequest): Promise<DeviceCertificateResponse> {
  const { caCertificateId } = ca;
  const previous = await deps.vault.readIssuedRecord(caCertificateId, request.csrSha256);
  if (previous) {
    const caCertificatePem = await readVaultCaCertificate(deps.vault, caCertificateId);
    await admit(deps, ca, previous.certificatePem);
    deps.logger.info('device certificate replayed', { caCertificateId, certificateId: previous.certificateId, csrSha256: request.csrSha256 });
    return respond(deps, caCertificateId, caCertificatePem, previous);
  }

  const authority = await loadAuthority(deps, caCertificateId);
  const issued = await issueDeviceCertificate(authority, {
    publicKey: request.csr.publicKey,
    subject: request.subject,
    validityDays: request.validityDays,
  });
  await admit(deps, ca, issued.certificatePem);
  // Stored only once the verifier admitted it: a rejected certificate leaves no trace.
  const { stored, record } = await deps.vault.putIssuedRecord(caCertificateId, request.csrSha256, {
    certificateId: issued.certificateId,
    certificatePem: issued.certificatePem,
    issuedAt: new Date().toISOString(),
  });
  deps.logger.info(stored ? 'device certificate issued' : 'device certificate replayed', {
    caCertificateId,
    certificateId: record.certificateId,
    mode: 'csr',
    keyDescription: request.csr.keyDescription,
    validityDays: request.validityDays,
    csrSha256: request.csrSha256,
    ...(stored ? {} : { reason: 'a concurrent request with the same CSR stored its certificate first' }),
  });
  return respond(deps, caCertificateId, authority.certificatePem, record);
}

/**
 * Key-generation mode cannot be idempotent: the private key exists only in this answer (it is
 * never stored, so no one can read it later), and a repeated request can only get a new key and
 * so a new certificate. Nothing is registered in AWS IoT until a device connects with one, so
 * certificates whose answers were lost are harmless.
 */
async function certifyNewKey(deps: GeneratorDeps, ca: JitpCa, request: KeyGenerationRequest): Promise<DeviceCertificateResponse> {
  const { caCertificateId } = ca;
  const authority = await loadAuthority(deps, caCertificateId);
  const issued = await issueDeviceCertificateWithNewKey(authority, {
    keyAlgorithm: request.keyAlgorithm,
    subject: request.subject,
    validityDays: request.validityDays,
  });
  await admit(deps, ca, issued.certificatePem);
  deps.logger.info('device certificate issued', {
    caCertificateId,
    certificateId: issued.certificateId,
    mode: 'generate-key',
    keyAlgorithm: request.keyAlgorithm,
    validityDays: request.validityDays,
  });
  return respond(deps, caCertificateId, authority.certificatePem, issued, issued.privateKeyPem);
}

function requireTemplateFields(ca: JitpCa, request: DeviceCertificateRequest): void {
  const missing = missingSubjectField(request.subject, ca.requiredFields);
  if (missing) {
    const consequence = 'a certificate without it would stay PENDING_ACTIVATION on every connect';
    throw new ClientError(400, 'MissingSubjectField', request.kind === 'csr'
      ? `csrPem: the CSR subject has no ${missing.field}, which the CA's provisioning template reads as ${missing.parameter}; ${consequence}`
      : `subject.${missing.field}: is required: the CA's provisioning template reads it as ${missing.parameter}; ${consequence}`);
  }
  const unacceptable = unacceptableSubjectValue(request.subject, ca.requiredFields);
  if (unacceptable) {
    const { required, rule } = unacceptable;
    const problem = `the CA's provisioning template makes it ${rule.usedAs}, where AWS IoT accepts at most ${rule.maxLength} of ${rule.allowed}; `
      + 'a certificate with this value would stay PENDING_ACTIVATION on every connect';
    throw new ClientError(400, 'InvalidSubjectValue', request.kind === 'csr'
      ? `csrPem: the CSR subject's ${required.field} ${JSON.stringify(request.subject[required.field])}: ${problem}`
      : `subject.${required.field}: ${problem}`);
  }
}

/** The CA's verifier, if it names one, says yes or no to the certificate before anyone sees it. */
async function admit(deps: GeneratorDeps, ca: JitpCa, certificatePem: string): Promise<void> {
  const { verifierName, caCertificateId } = ca;
  if (!verifierName) return;
  const info = inspectCertificate(certificatePem);
  let verdict;
  try {
    verdict = await deps.verify(verifierName, {
      certificateId: info.certificateId,
      caCertificateId,
      certificatePem,
      subject: info.subject,
      serialNumber: info.serialNumber,
    });
  } catch (error) {
    deps.logger.error('verifier failed; no certificate given out', { caCertificateId, verifierName, ...describeError(error) });
    throw new ClientError(502, 'VerifierFailed',
      `the CA's verifier '${verifierName}' failed or broke the verifier contract, so no certificate was given out; retry later`);
  }
  if (verdict.verified !== true) {
    throw new ClientError(403, 'DeviceRejected', `verifier '${verifierName}' rejected the device: ${verdict.reason ?? 'no reason given'}`);
  }
}

/**
 * The CA, ready to sign: with its key from the vault, or with a signer for its key in AWS KMS
 * (the vault then holds a record naming the key). The storage the construct uses is read first;
 * the other only for a CA made before the construct changed storage. An imported CA's key never
 * reached us: neither is there.
 */
async function loadAuthority(deps: GeneratorDeps, caCertificateId: string): Promise<CertificateAuthority> {
  const { vault } = deps;
  const readPrivateKey = () => vault.readFile(caCertificateId, CA_FILES.privateKey);
  const readKmsRecord = () => vault.readFile(caCertificateId, CA_FILES.kmsKey);
  const [certificatePem, first] = await Promise.all([
    readVaultCaCertificate(vault, caCertificateId),
    deps.caKeyStorage === 'KMS' ? readKmsRecord() : readPrivateKey(),
  ]);
  const kmsRecord = deps.caKeyStorage === 'KMS' ? first : first === undefined ? await readKmsRecord() : undefined;
  if (kmsRecord !== undefined) {
    const record = parseKmsCaKeyRecord(kmsRecord, `the vault's KMS key record of CA ${caCertificateId}`);
    return loadCertificateAuthorityWithSigner(certificatePem, kmsSigner(deps.kms, record));
  }
  const privateKeyPem = deps.caKeyStorage === 'KMS' ? await readPrivateKey() : first;
  if (!privateKeyPem) {
    throw new ClientError(400, 'CaKeyNotInVault',
      'caCertificateId: the CA was imported; its key is not in the vault, so this API cannot sign with it (sign device certificates where its key is)');
  }
  return loadCertificateAuthority(certificatePem, privateKeyPem);
}

async function readVaultCaCertificate(vault: CaVault, caCertificateId: string): Promise<string> {
  const certificatePem = await vault.readFile(caCertificateId, CA_FILES.certificate);
  // Both are our faults (a vault out of step with AWS IoT): a 500, with the reason in the log.
  if (!certificatePem) throw new Error(`the vault holds no certificate for CA ${caCertificateId}`);
  if (certificateIdOf(certificatePem) !== caCertificateId) throw new Error(`the vault's certificate for CA ${caCertificateId} is another CA's`);
  return certificatePem;
}

async function respond(
  deps: GeneratorDeps,
  caCertificateId: string,
  caCertificatePem: string,
  certificate: Pick<IssuedCertificateRecord, 'certificateId' | 'certificatePem'>,
  privateKeyPem?: string,
): Promise<DeviceCertificateResponse> {
  return {
    certificateId: certificate.certificateId,
    certificatePem: certificate.certificatePem,
    caCertificateId,
    caCertificatePem,
    certificateChainPem: `${certificate.certificatePem.trimEnd()}\n${caCertificatePem.trimEnd()}\n`,
    ...(privateKeyPem === undefined ? {} : { privateKeyPem }),
    endpoint: await deps.dataEndpoint(),
    amazonRootCaPems: AMAZON_ROOT_CA_PEMS,
  };
}
