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
}

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
  };
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
