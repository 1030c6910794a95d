import { CaVaultLocation, normalizePrefix } from '../shared/vault/ca-vault';

/** Where the claim issuer keeps claims: the construct's vault (the same variables as the other handlers). */
export function readVaultLocation(env: NodeJS.ProcessEnv = process.env): CaVaultLocation {
  const bucket = env.VAULT_BUCKET;
  if (!bucket) throw new Error('environment variable VAULT_BUCKET is not set');
  return { bucket, prefix: normalizePrefix(env.VAULT_PREFIX), kmsKeyArn: env.VAULT_KEY_ARN || undefined };
}
