import { parseTokenTable, TokenEntry } from './token-table';

/** Reads the secret's SecretString (undefined when it holds only SecretBinary). */
export type SecretReader = () => Promise<string | undefined>;

/**
 * The token table, read from the secret at most once per `ttlMilliseconds` in a container.
 * A failed read or a malformed table is not cached, so a fixed secret takes effect on the next call.
 */
export function cachedTokenTable(
  read: SecretReader,
  ttlMilliseconds: number,
  now: () => number = () => Date.now(),
): () => Promise<readonly TokenEntry[]> {
  let cached: { table: readonly TokenEntry[]; expires: number } | undefined;
  return async () => {
    if (cached && now() < cached.expires) return cached.table;
    cached = undefined;
    const table = parseTokenTable(await read());
    cached = { table, expires: now() + ttlMilliseconds };
    return table;
  };
}
