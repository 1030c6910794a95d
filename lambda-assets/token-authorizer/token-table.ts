/**
 * The token table the secret holds: `{"tokens": [{id, sha256, oneTime, allowReissue, thingTypes}]}`.
 * Only SHA-256 hashes of tokens are stored, so reading the secret never reveals a token.
 */
export interface TokenEntry {
  /** Names the token in logs and as the API principal; never the token itself. */
  readonly id: string;
  /** The token's SHA-256, lowercase hex. */
  readonly sha256: string;
  readonly hash: Buffer;
  /** The token registers one device, once. */
  readonly oneTime: boolean;
  /** The token may register an existing thing again (a new certificate; the old ones become INACTIVE). */
  readonly allowReissue: boolean;
  /** Type names (keys of the registrar's THING_TYPES) the token may register; empty: any. */
  readonly thingTypes: readonly string[];
}

/** The secret is not a token table; the message names what is wrong, never a value. */
export class MalformedTokenTableError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'MalformedTokenTableError';
  }
}

const FIELDS = ['id', 'sha256', 'oneTime', 'allowReissue', 'thingTypes'];
const TOKEN_ID = /^[A-Za-z0-9_.:@/+=-]{1,128}$/;
const SHA256_HEX = /^[0-9a-fA-F]{64}$/;
const TYPE_NAME = /^[a-zA-Z0-9:_-]{1,128}$/;

export function parseTokenTable(secretString: string | undefined): readonly TokenEntry[] {
  if (secretString === undefined) throw new MalformedTokenTableError('the secret has no SecretString');
  let parsed: unknown;
  try {
    parsed = JSON.parse(secretString);
  } catch {
    throw new MalformedTokenTableError('the SecretString is not JSON');
  }
  if (!isObject(parsed) || !Array.isArray(parsed.tokens)) {
    throw new MalformedTokenTableError('the SecretString must be a JSON object with a "tokens" array');
  }
  const ids = new Set<string>();
  const hashes = new Set<string>();
  return parsed.tokens.map((raw: unknown, index): TokenEntry => {
    const at = `tokens[${index}]`;
    if (!isObject(raw)) throw new MalformedTokenTableError(`${at} must be an object`);
    const unknown = Object.keys(raw).find((key) => !FIELDS.includes(key));
    if (unknown !== undefined) throw new MalformedTokenTableError(`${at}: unknown field '${unknown}' (allowed: ${FIELDS.join(', ')})`);
    const { id, sha256, oneTime = false, allowReissue = false, thingTypes = [] } = raw;
    if (typeof id !== 'string' || !TOKEN_ID.test(id)) throw new MalformedTokenTableError(`${at}.id must be 1-128 of [A-Za-z0-9_.:@/+=-]`);
    if (typeof sha256 !== 'string' || !SHA256_HEX.test(sha256)) {
      throw new MalformedTokenTableError(`${at}.sha256 must be the token's SHA-256 as 64 hex characters`);
    }
    if (typeof oneTime !== 'boolean') throw new MalformedTokenTableError(`${at}.oneTime must be true or false`);
    if (typeof allowReissue !== 'boolean') throw new MalformedTokenTableError(`${at}.allowReissue must be true or false`);
    if (!Array.isArray(thingTypes) || !thingTypes.every((name) => typeof name === 'string' && TYPE_NAME.test(name))) {
      throw new MalformedTokenTableError(`${at}.thingTypes must be an array of thing type names`);
    }
    const hex = sha256.toLowerCase();
    // Two entries for one token would make its rights ambiguous; two tokens under one id, its logs.
    if (hashes.has(hex)) throw new MalformedTokenTableError(`${at}.sha256 repeats an earlier entry's`);
    if (ids.has(id)) throw new MalformedTokenTableError(`${at}.id '${id}' repeats an earlier entry's`);
    hashes.add(hex);
    ids.add(id);
    return { id, sha256: hex, hash: Buffer.from(hex, 'hex'), oneTime, allowReissue, thingTypes: [...thingTypes] as string[] };
  });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
