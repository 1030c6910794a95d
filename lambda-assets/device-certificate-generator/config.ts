import { normalizePrefix } from '../shared/vault/ca-vault';

/** The device certificate generator's settings, from the environment the construct sets. */
export interface GeneratorConfig {
  readonly vaultBucket: string;
  readonly vaultPrefix: string;
  readonly vaultKeyArn?: string;
  /** Tag value that marks CAs as this construct's (the CA registrator's REGISTRAR_ID). */
  readonly registrarId: string;
  readonly defaultValidityDays: number;
  readonly maxValidityDays: number;
  /**
   * Where the construct keeps the keys of the CAs it makes: the vault, or AWS KMS. Either way a CA
   * made while the construct used the other storage still issues: this only says where to look first.
   */
  readonly caKeyStorage: 'VAULT' | 'KMS';
}

/** Device certificates live at most ten years, whatever the construct asks for. */
const HARD_MAX_VALIDITY_DAYS = 3650;

export function readConfig(env: NodeJS.ProcessEnv = process.env): GeneratorConfig {
  const required = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`environment variable ${name} is not set`);
    return value;
  };
  const maxValidityDays = days(env, 'MAX_DEVICE_VALIDITY_DAYS', HARD_MAX_VALIDITY_DAYS, HARD_MAX_VALIDITY_DAYS);
  const caKeyStorage = env.CA_KEY_STORAGE || 'VAULT';
  if (caKeyStorage !== 'VAULT' && caKeyStorage !== 'KMS') throw new Error(`CA_KEY_STORAGE must be VAULT or KMS, got '${caKeyStorage}'`);
  return {
    vaultBucket: required('VAULT_BUCKET'),
    vaultPrefix: normalizePrefix(env.VAULT_PREFIX),
    vaultKeyArn: env.VAULT_KEY_ARN || undefined,
    registrarId: required('REGISTRAR_ID'),
    defaultValidityDays: days(env, 'DEFAULT_DEVICE_VALIDITY_DAYS', 365, maxValidityDays),
    maxValidityDays,
    caKeyStorage,
  };
}

function days(env: NodeJS.ProcessEnv, name: string, fallback: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < 1 || value > max) {
    throw new Error(`${name} must be a whole number of days from 1 to ${max}, got '${raw}'`);
  }
  return value;
}
