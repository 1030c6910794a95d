import { createHash, timingSafeEqual } from 'node:crypto';
import type { APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent } from 'aws-lambda';
import { MalformedTokenTableError, TokenEntry } from './token-table';
import { describeError, Logger } from '../shared/logging/logger';

export interface AuthorizerDeps {
  readonly tokenIdentifier: string;
  readonly tokens: () => Promise<readonly TokenEntry[]>;
  readonly logger: Logger;
}

/** What the registrar reads from `requestContext.authorizer` (API Gateway passes strings, numbers and booleans only). */
export interface TokenContext {
  readonly tokenId: string;
  readonly tokenHash: string;
  readonly oneTime: 'true' | 'false';
  readonly allowReissue: 'true' | 'false';
  /** JSON array of type names; `[]` means any. */
  readonly thingTypes: string;
  [key: string]: string;
}

/** API Gateway answers 401 to exactly this error message; any other error becomes a 500. */
export const UNAUTHORIZED = 'Unauthorized';
/** Longest token read: a header beyond this is not one of ours. */
const MAX_TOKEN_LENGTH = 1024;
const HEADER = /^(\S+) +(\S+)$/;

/**
 * Decides a TOKEN authorizer event: `Authorization: <identifier> <token>` with a token whose
 * SHA-256 is in the table gets an Allow for the method; anything else throws `Unauthorized`.
 * The token is hashed and compared in constant time against every entry; it is never logged.
 */
export async function authorize(deps: AuthorizerDeps, event: APIGatewayTokenAuthorizerEvent): Promise<APIGatewayAuthorizerResult> {
  const { logger } = deps;
  const header = typeof event.authorizationToken === 'string' ? event.authorizationToken.trim() : '';
  const match = HEADER.exec(header);
  if (!match) return deny(logger, header === '' ? 'no Authorization header' : 'Authorization is not "<identifier> <token>"');
  const [, identifier, token] = match;
  // Authentication schemes are case-insensitive (RFC 9110, 11.1).
  if (identifier.toLowerCase() !== deps.tokenIdentifier.toLowerCase()) return deny(logger, 'wrong identifier');
  if (token.length > MAX_TOKEN_LENGTH) return deny(logger, 'token too long');

  let table: readonly TokenEntry[];
  try {
    table = await deps.tokens();
  } catch (error) {
    if (error instanceof MalformedTokenTableError) {
      logger.error('token secret is malformed; every request is refused until it is fixed', { problem: error.message });
      return deny(logger, 'token secret malformed');
    }
    // Not the caller's fault: a 500 (API Gateway's answer to any other error) tells the device to retry.
    logger.error('token secret could not be read', describeError(error));
    throw new Error('token secret unavailable');
  }

  const entry = findToken(table, createHash('sha256').update(token, 'utf8').digest());
  if (!entry) return deny(logger, 'unknown token');
  logger.info('token accepted', { tokenId: entry.id, oneTime: entry.oneTime, allowReissue: entry.allowReissue });
  const context: TokenContext = {
    tokenId: entry.id,
    tokenHash: entry.sha256,
    oneTime: entry.oneTime ? 'true' : 'false',
    allowReissue: entry.allowReissue ? 'true' : 'false',
    thingTypes: JSON.stringify(entry.thingTypes),
  };
  return {
    principalId: entry.id,
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: event.methodArn }],
    },
    context,
  };
}

/** Compares against every entry, so the time taken does not tell which one (or whether one) matched. */
function findToken(table: readonly TokenEntry[], hash: Buffer): TokenEntry | undefined {
  let found: TokenEntry | undefined;
  for (const entry of table) {
    if (timingSafeEqual(entry.hash, hash) && !found) found = entry;
  }
  return found;
}

function deny(logger: Logger, reason: string): never {
  logger.info('token refused', { reason });
  throw new Error(UNAUTHORIZED);
}
