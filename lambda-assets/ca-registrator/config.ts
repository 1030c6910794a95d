import type { RegistrationConfig } from '@aws-sdk/client-iot';
import { isKeyAlgorithm, KeyAlgorithm } from '../shared/pki';
import { normalizePrefix } from '../shared/vault/ca-vault';

/** The CA registrator's settings, from the environment the construct sets. */
export interface RegistratorConfig {
  readonly vaultBucket: string;
  readonly vaultPrefix: string;
  readonly vaultKeyArn?: string;
  readonly registrarId: string;
  readonly verifierNames: string[];
  readonly defaultKeyAlgorithm: KeyAlgorithm;
  readonly defaultValidityDays: number;
  /**
   * The provisioning template every CA is registered with (JITP); absent for JITR.
   * Either `{templateName}` or `{templateBody, roleArn}`, never both.
   */
  readonly registrationConfig?: RegistrationConfig;
  /** Where generated CAs keep their keys: the vault (default), or AWS KMS (see kmsCaKeys). */
  readonly caKeyStorage: CaKeyStorage;
  /** With caKeyStorage KMS: the roles named in each CA key's key policy. */
  readonly kmsCaKeys?: {
    /** This function's own role: it creates each key and signs the CA and verification certificates. */
    readonly registratorRoleArn: string;
    /** Roles that sign device certificates with the CA keys. */
    readonly signerRoleArns: string[];
  };
}

export type CaKeyStorage = 'VAULT' | 'KMS';


export function readConfig(env: NodeJS.ProcessEnv = process.env): RegistratorConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const defaultKeyAlgorithm = env.DEFAULT_KEY_ALGORITHM ?? 'ECDSA-P256';
  if (!isKeyAlgorithm(defaultKeyAlgorithm)) throw new Error(`DEFAULT_KEY_ALGORITHM '${defaultKeyAlgorithm}' is not supported`);
  return {
    vaultBucket: required('VAULT_BUCKET'),
    vaultPrefix: normalizePrefix(env.VAULT_PREFIX),
    vaultKeyArn: env.VAULT_KEY_ARN || undefined,
    registrarId: required('REGISTRAR_ID'),
    verifierNames: parseNameList(env.VERIFIER_NAMES),
    defaultKeyAlgorithm,
    defaultValidityDays: Number(env.DEFAULT_CA_VALIDITY_DAYS ?? 3650),
    registrationConfig: parseRegistrationConfig(env.REGISTRATION_CONFIG),
    ...parseCaKeyStorage(env),
  };
}

/**
 * CA_KEY_STORAGE is VAULT (the default) or KMS; with KMS, CA_KEY_ADMIN_ROLE_ARN names this function's
 * role and CA_KEY_SIGNER_ROLE_ARNS (a JSON array) the roles that sign device certificates. The
 * construct writes them, so a malformed value fails the function's load with a message saying which.
 */
export function parseCaKeyStorage(env: NodeJS.ProcessEnv): Pick<RegistratorConfig, 'caKeyStorage' | 'kmsCaKeys'> {
  const storage = env.CA_KEY_STORAGE || 'VAULT';
  if (storage === 'VAULT') return { caKeyStorage: 'VAULT' };
  if (storage !== 'KMS') throw new Error(`CA_KEY_STORAGE must be VAULT or KMS, got '${storage}'`);
  const registratorRoleArn = env.CA_KEY_ADMIN_ROLE_ARN ?? '';
  if (!ROLE_ARN.test(registratorRoleArn)) throw new Error('CA_KEY_ADMIN_ROLE_ARN must be the ARN of the CA registrator\'s role');
  let signers: unknown;
  try {
    signers = JSON.parse(env.CA_KEY_SIGNER_ROLE_ARNS ?? '[]');
  } catch {
    signers = undefined;
  }
  if (!Array.isArray(signers) || !signers.every((arn) => typeof arn === 'string' && ROLE_ARN.test(arn))) {
    throw new Error('CA_KEY_SIGNER_ROLE_ARNS must be a JSON array of IAM role ARNs');
  }
  return { caKeyStorage: 'KMS', kmsCaKeys: { registratorRoleArn, signerRoleArns: signers } };
}

/** VERIFIER_NAMES is a JSON array of the verifier names the construct was given. */
function parseNameList(raw: string | undefined): string[] {
  if (!raw) return [];
  const parsed: unknown = JSON.parse(raw);
  if (!Array.isArray(parsed) || !parsed.every((name) => typeof name === 'string')) {
    throw new Error('VERIFIER_NAMES must be a JSON array of strings');
  }
  return parsed;
}

// AWS IoT's limits (AWS-FACTS.md): template names are 1-36 of [0-9A-Za-z_-], bodies at most 10 KiB.
const TEMPLATE_NAME = /^[0-9A-Za-z_-]{1,36}$/;
const MAX_TEMPLATE_BODY = 10240;
const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]{1,512}$/;

/**
 * REGISTRATION_CONFIG (JITP) is `{"templateName": "..."}` or `{"templateBody": "<JSON text>", "roleArn": "arn:..."}`.
 * The construct writes it, so a malformed value is a deployment fault: the function fails to
 * load with a message saying what is wrong, instead of registering CAs that provision nothing.
 */
export function parseRegistrationConfig(raw: string | undefined): RegistrationConfig | undefined {
  if (!raw) return undefined;
  const fail = (problem: string): never => {
    throw new Error(`REGISTRATION_CONFIG ${problem}`);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    return fail('is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    return fail('must be a JSON object: {"templateName": ...} or {"templateBody": ..., "roleArn": ...}');
  }
  const config = parsed as Record<string, unknown>;
  const unknown = Object.keys(config).filter((key) => !['templateName', 'templateBody', 'roleArn'].includes(key));
  if (unknown.length > 0) fail(`has unknown fields: ${unknown.join(', ')}`);

  if (config.templateName !== undefined) {
    if (config.templateBody !== undefined || config.roleArn !== undefined) {
      fail('must give either templateName or templateBody with roleArn, not both');
    }
    if (typeof config.templateName !== 'string' || !TEMPLATE_NAME.test(config.templateName)) {
      fail('templateName must be 1-36 characters of [0-9A-Za-z_-]');
    }
    return { templateName: config.templateName as string };
  }
  if (config.templateBody === undefined) fail('must give templateName, or templateBody with roleArn');
  if (typeof config.templateBody !== 'string' || config.templateBody.length === 0 || config.templateBody.length > MAX_TEMPLATE_BODY) {
    fail(`templateBody must be a string of 1 to ${MAX_TEMPLATE_BODY} characters`);
  }
  let body: unknown;
  try {
    body = JSON.parse(config.templateBody as string);
  } catch {
    fail('templateBody is not JSON text');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) fail('templateBody must be a JSON object (a provisioning template)');
  if (typeof config.roleArn !== 'string' || !ROLE_ARN.test(config.roleArn)) {
    fail('roleArn must be an IAM role ARN (the role AWS IoT assumes to provision devices)');
  }
  return { templateBody: config.templateBody as string, roleArn: config.roleArn as string };
}
