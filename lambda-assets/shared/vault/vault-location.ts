import { CaVaultLocation, normalizePrefix } from './ca-vault';

/** Where a handler finds the construct's vault: the variables every vault reader and writer gets. */
export function readVaultLocation(env: NodeJS.ProcessEnv = process.env): CaVaultLocation {
  const bucket = env.VAULT_BUCKET;
  if (!bucket) throw new Error('environment variable VAULT_BUCKET is not set');
  return { bucket, prefix: normalizePrefix(env.VAULT_PREFIX), kmsKeyArn: env.VAULT_KEY_ARN || undefined };
}
