import type { APIGatewayProxyEvent } from 'aws-lambda';
import { ClientError } from '../shared/http/client-error';

/** The registration token's rights, as the token authorizer put them in `requestContext.authorizer`. */
export interface RegistrationToken {
  readonly tokenId: string;
  /** SHA-256 of the token, lowercase hex: names its one-time ledger marker. */
  readonly tokenHash: string;
  readonly oneTime: boolean;
  readonly allowReissue: boolean;
  /** Type names the token may register; empty: any. */
  readonly thingTypes: readonly string[];
}

const SHA256_HEX = /^[0-9a-f]{64}$/;

/**
 * Reads the authorizer context. Without one (an API wired with no authorizer, a context from
 * another authorizer) the request carries no proof of a token: refused, never trusted.
 */
export function readTokenContext(event: APIGatewayProxyEvent): RegistrationToken {
  const context = event.requestContext?.authorizer as Record<string, unknown> | null | undefined;
  const refuse = () => new ClientError(401, 'Unauthorized', 'Authorization: the request carries no valid registration token context');
  if (!context) throw refuse();
  const { tokenId, tokenHash, oneTime, allowReissue, thingTypes } = context;
  if (typeof tokenId !== 'string' || tokenId === '' || typeof tokenHash !== 'string' || !SHA256_HEX.test(tokenHash)) throw refuse();
  let types: unknown;
  try {
    types = JSON.parse(String(thingTypes ?? '[]'));
  } catch {
    throw refuse();
  }
  if (!Array.isArray(types) || !types.every((type) => typeof type === 'string')) throw refuse();
  return { tokenId, tokenHash, oneTime: flag(oneTime), allowReissue: flag(allowReissue), thingTypes: types as string[] };
}

/** API Gateway may hand context values back as strings or as booleans. */
function flag(value: unknown): boolean {
  return value === true || value === 'true';
}
