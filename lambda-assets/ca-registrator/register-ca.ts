import { randomBytes } from 'node:crypto';
import {
  DescribeCACertificateCommand,
  GetRegistrationCodeCommand,
  IoTClient,
  RegisterCACertificateCommand,
  RegistrationConfig,
} from '@aws-sdk/client-iot';
import { CertificateMode, GenerateCaRequest, ImportCaRequest } from './request';
import { ClientError, invalidField } from '../shared/http/client-error';
import { isNotFound } from '../shared/iot/aws-errors';
import { ownershipTags } from '../shared/iot/ownership-tags';
import { KmsCaKeyRecord, KmsCaKeys, serializeKmsCaKeyRecord } from '../shared/kms/kms-ca-key';
import { describeError, Logger } from '../shared/logging/logger';
import {
  assertAcceptableCaCertificate,
  certificateIdOf,
  createCaCertificate,
  createSelfSignedCa,
  createVerificationCertificate,
  inspectCertificate,
  isIssuedBy,
  PkiError,
  SelfSignedCa,
  SubjectFields,
} from '../shared/pki';
import { CA_FILES, CaFileName, CaVault } from '../shared/vault/ca-vault';

export interface RegistratorDeps {
  readonly iot: IoTClient;
  readonly vault: CaVault;
  /** Tag value that marks CAs as this construct's. */
  readonly registrarId: string;
  /** The provisioning template every CA is registered with (JITP); absent for JITR. */
  readonly registrationConfig?: RegistrationConfig;
  /** Set when generated CAs keep their keys in AWS KMS (caKeyStorage KMS); otherwise keys go to the vault. */
  readonly kmsCaKeys?: KmsCaKeys;
  readonly logger: Logger;
}

/** Where a CA's private key is kept: what ca.json records and POST /caRegister answers. */
export interface KeyCustody {
  /** VAULT: a key file in the vault; KMS: an asymmetric KMS key; NONE: an imported CA, whose key stays with its owner. */
  readonly keyStorage: 'VAULT' | 'KMS' | 'NONE';
  /** With KMS: the CA key's ARN, which a JITR factory signs device certificates with (`device cert --kms-key`). */
  readonly kmsKeyArn?: string;
}

export interface RegisteredCa extends KeyCustody {
  readonly caCertificateId: string;
  readonly caCertificateArn: string;
  readonly caCertificatePem: string;
}

/**
 * Makes a CA and its verification certificate, keeps them in the vault, registers the CA for JITR
 * (or JITP). Its key is made here and kept in the vault, or made and kept by AWS KMS.
 */
export async function registerGeneratedCa(deps: RegistratorDeps, request: GenerateCaRequest): Promise<RegisteredCa> {
  const subject = {
    ...request.subject,
    // A unique default name keeps clear of AWS's limit of 10 CAs with the same subject.
    commonName: request.subject.commonName ?? `cdk-iot-security CA ${randomBytes(6).toString('hex')}`,
  };
  if (deps.kmsCaKeys) return registerKmsCa(deps, deps.kmsCaKeys, request, subject);
  const ca = await createCaCertificate({ subject, keyAlgorithm: request.keyAlgorithm, validityDays: request.validityDays });
  const verificationCertificatePem = await verificationCertificateFor(deps, request, ca);
  const files: Partial<Record<CaFileName, string>> = {
    [CA_FILES.certificate]: ca.certificatePem,
    [CA_FILES.privateKey]: ca.privateKeyPem,
    [CA_FILES.publicKey]: ca.publicKeyPem,
  };
  if (verificationCertificatePem) files[CA_FILES.verificationCertificate] = verificationCertificatePem;
  return storeAndRegister(deps, {
    caCertificateId: ca.certificateId,
    caCertificatePem: ca.certificatePem,
    verificationCertificatePem,
    certificateMode: request.certificateMode,
    verifierName: request.verifierName,
    source: 'generated',
    keyAlgorithm: request.keyAlgorithm,
    custody: { keyStorage: 'VAULT' },
    files,
  });
}

/**
 * A CA whose key AWS KMS makes and keeps: the key is created with a policy that lets only the
 * signing roles sign, the CA certificate is self-signed through KMS Sign (its signature checked
 * with the key GetPublicKey gives), the key is tagged with the CA's id, and the vault gets the
 * certificate and a record naming the key, never key material. If anything fails before the CA is
 * registered, the key is scheduled for deletion and the vault files removed: nothing is left behind.
 */
async function registerKmsCa(deps: RegistratorDeps, caKeys: KmsCaKeys, request: GenerateCaRequest, subject: SubjectFields): Promise<RegisteredCa> {
  const key = await caKeys.create(request.keyAlgorithm, subject.commonName!);
  deps.logger.info('CA key created in KMS', { keyArn: key.keyArn, keySpec: key.keySpec });
  try {
    const ca = await createSelfSignedCa({
      subject,
      validityDays: request.validityDays,
      subjectPublicKeyInfo: await caKeys.publicKey(key),
      signer: caKeys.signer(key),
    });
    await caKeys.tagForCa(key, ca.certificateId);
    const verificationCertificatePem = await verificationCertificateFor(deps, request, ca);
    const files: Partial<Record<CaFileName, string>> = {
      [CA_FILES.certificate]: ca.certificatePem,
      [CA_FILES.publicKey]: ca.publicKeyPem,
      [CA_FILES.kmsKey]: serializeKmsCaKeyRecord(key),
    };
    if (verificationCertificatePem) files[CA_FILES.verificationCertificate] = verificationCertificatePem;
    return await storeAndRegister(deps, {
      caCertificateId: ca.certificateId,
      caCertificatePem: ca.certificatePem,
      verificationCertificatePem,
      certificateMode: request.certificateMode,
      verifierName: request.verifierName,
      source: 'generated',
      keyAlgorithm: request.keyAlgorithm,
      custody: { keyStorage: 'KMS', kmsKeyArn: key.keyArn },
      files,
    });
  } catch (error) {
    await removeKmsKey(deps, caKeys, key);
    throw error;
  }
}

/** A failing clean-up is logged, never allowed to hide why the registration failed. */
async function removeKmsKey(deps: RegistratorDeps, caKeys: KmsCaKeys, key: KmsCaKeyRecord): Promise<void> {
  try {
    await caKeys.scheduleDeletion(key);
    deps.logger.warn('CA registration failed; its KMS key is scheduled for deletion', { keyArn: key.keyArn, pendingWindowInDays: 7 });
  } catch (cleanupError) {
    deps.logger.error('CA registration failed and its KMS key could not be scheduled for deletion', { keyArn: key.keyArn, ...describeError(cleanupError) });
  }
}

/** In DEFAULT mode, the proof for AWS IoT that we hold the CA key: CN = the registration code, signed by the CA. */
async function verificationCertificateFor(deps: RegistratorDeps, request: GenerateCaRequest, ca: SelfSignedCa): Promise<string | undefined> {
  if (request.certificateMode !== 'DEFAULT') return undefined;
  const registrationCode = await getRegistrationCode(deps.iot);
  return (await createVerificationCertificate(ca.authority, registrationCode)).certificatePem;
}

/** Registers a CA the user brings; only its certificate is stored, its key never reaches us. */
export async function registerImportedCa(deps: RegistratorDeps, request: ImportCaRequest): Promise<RegisteredCa> {
  const caInfo = await checkCertificate('caCertificatePem', () => assertAcceptableCaCertificate(request.caCertificatePem));
  if (request.verificationCertificatePem) {
    await checkVerificationCertificate(deps.iot, request.caCertificatePem, request.verificationCertificatePem);
  }
  const caCertificateId = certificateIdOf(request.caCertificatePem);
  if (await isCaRegistered(deps.iot, caCertificateId)) {
    throw new ClientError(409, 'CaAlreadyRegistered', `caCertificatePem: this CA is already registered as ${caCertificateId}`);
  }
  const files: Partial<Record<CaFileName, string>> = {
    [CA_FILES.certificate]: request.caCertificatePem,
  };
  if (request.verificationCertificatePem) files[CA_FILES.verificationCertificate] = request.verificationCertificatePem;
  return storeAndRegister(deps, {
    caCertificateId,
    caCertificatePem: request.caCertificatePem,
    verificationCertificatePem: request.verificationCertificatePem,
    certificateMode: request.certificateMode,
    verifierName: request.verifierName,
    source: 'imported',
    keyAlgorithm: caInfo.keyDescription,
    custody: { keyStorage: 'NONE' },
    files,
  });
}

interface Registration {
  readonly caCertificateId: string;
  readonly caCertificatePem: string;
  readonly verificationCertificatePem?: string;
  readonly certificateMode: CertificateMode;
  readonly verifierName?: string;
  readonly source: 'generated' | 'imported';
  /** The CA key's algorithm: the one requested, or an imported certificate's key description. */
  readonly keyAlgorithm: string;
  readonly custody: KeyCustody;
  /** Every vault file but ca.json, which storeAndRegister writes from the fields above. */
  readonly files: Partial<Record<CaFileName, string>>;
}

/**
 * The vault is written first (the CA id is known before AWS sees the CA), so
 * a registered CA always has its key stored; if registration then fails, the
 * files are removed again and the request leaves nothing behind.
 */
async function storeAndRegister(deps: RegistratorDeps, registration: Registration): Promise<RegisteredCa> {
  const { caCertificateId } = registration;
  const files = { ...registration.files, [CA_FILES.metadata]: metadata(deps, registration) };
  const fileNames = Object.keys(files) as CaFileName[];
  try {
    await deps.vault.putFiles(caCertificateId, files);
    const registered = await deps.iot.send(new RegisterCACertificateCommand({
      caCertificate: registration.caCertificatePem,
      verificationCertificate: registration.verificationCertificatePem,
      certificateMode: registration.certificateMode,
      setAsActive: true,
      allowAutoRegistration: true,
      // With a template, AWS IoT provisions each device on its first connect (JITP);
      // without one, it only registers the certificate and publishes an event (JITR).
      registrationConfig: deps.registrationConfig,
      tags: ownershipTags(deps.registrarId, registration.verifierName),
    }));
    deps.logger.info('CA registered', {
      caCertificateId: registered.certificateId,
      certificateMode: registration.certificateMode,
      verifierName: registration.verifierName ?? null,
      ...provisioningTemplateField(deps.registrationConfig),
    });
    return {
      caCertificateId: registered.certificateId ?? caCertificateId,
      caCertificateArn: registered.certificateArn!,
      caCertificatePem: registration.caCertificatePem,
      // The custody ca.json records, so the answer and the vault never disagree about where the key is.
      ...registration.custody,
    };
  } catch (error) {
    await removeVaultFiles(deps, caCertificateId, fileNames);
    throw error;
  }
}

/**
 * Undoes a failed registration's vault writes (every file it may have written:
 * deleting a key that was never written is a no-op). A failing clean-up is
 * logged, never allowed to hide why the registration failed.
 */
async function removeVaultFiles(deps: RegistratorDeps, caCertificateId: string, fileNames: CaFileName[]): Promise<void> {
  try {
    await deps.vault.removeFiles(caCertificateId, fileNames);
    deps.logger.warn('CA registration failed; vault files removed', { caCertificateId });
  } catch (cleanupError) {
    deps.logger.error('CA registration failed and its vault files could not be removed', {
      caCertificateId,
      files: fileNames,
      ...describeError(cleanupError),
    });
  }
}

async function getRegistrationCode(iot: IoTClient): Promise<string> {
  const { registrationCode } = await iot.send(new GetRegistrationCodeCommand({}));
  if (!registrationCode) throw new Error('GetRegistrationCode returned no code');
  return registrationCode;
}

async function checkVerificationCertificate(iot: IoTClient, caPem: string, verificationPem: string): Promise<void> {
  const info = await checkCertificate('verificationCertificatePem', async () => inspectCertificate(verificationPem));
  const registrationCode = await getRegistrationCode(iot);
  if (info.subject.commonName !== registrationCode) {
    throw invalidField('verificationCertificatePem', `its subject CN must be this account's registration code (${registrationCode})`);
  }
  if (!(await isIssuedBy(verificationPem, caPem))) {
    throw invalidField('verificationCertificatePem', 'is not signed by the key of caCertificatePem');
  }
}

async function checkCertificate<T>(field: string, check: () => Promise<T>): Promise<T> {
  try {
    return await check();
  } catch (error) {
    if (error instanceof PkiError) throw invalidField(field, error.message);
    throw error;
  }
}

async function isCaRegistered(iot: IoTClient, caCertificateId: string): Promise<boolean> {
  try {
    await iot.send(new DescribeCACertificateCommand({ certificateId: caCertificateId }));
    return true;
  } catch (error) {
    if (isNotFound(error)) return false;
    throw error;
  }
}

/** ca.json: what the CA is, where its key is kept, how it was registered. */
function metadata(deps: Pick<RegistratorDeps, 'registrationConfig'>, registration: Registration): string {
  return JSON.stringify({
    caCertificateId: registration.caCertificateId,
    source: registration.source,
    keyAlgorithm: registration.keyAlgorithm,
    ...registration.custody,
    certificateMode: registration.certificateMode,
    verifierName: registration.verifierName ?? null,
    ...provisioningTemplateField(deps.registrationConfig),
    createdAt: new Date().toISOString(),
  }, null, 2);
}

/** Which template provisions the CA's devices: its name, or 'inline' for a body; nothing for JITR. */
function provisioningTemplateField(config: RegistrationConfig | undefined): { provisioningTemplate?: string } {
  if (!config) return {};
  return { provisioningTemplate: config.templateName ?? 'inline' };
}
