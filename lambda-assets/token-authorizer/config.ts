/** The token authorizer's settings, from the environment the RegistrationGateway construct sets. */
export interface AuthorizerConfig {
  /** The scheme word before the token in `Authorization: <identifier> <token>` (e.g. `Token`). */
  readonly tokenIdentifier: string;
  /** The Secrets Manager secret that holds the token table (hashes only). */
  readonly tokensSecretArn: string;
  /** How long a container keeps the token table before it reads the secret again. */
  readonly cacheMilliseconds: number;
}

const IDENTIFIER = /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,64}$/;
const DEFAULT_CACHE_SECONDS = 60;

export function readConfig(env: NodeJS.ProcessEnv = process.env): AuthorizerConfig {
  const tokenIdentifier = env.TOKEN_IDENTIFIER;
  if (!tokenIdentifier || !IDENTIFIER.test(tokenIdentifier)) {
    throw new Error(`TOKEN_IDENTIFIER must be one word of 1-64 HTTP token characters (e.g. 'Token'), got '${tokenIdentifier ?? ''}'`);
  }
  const tokensSecretArn = env.TOKENS_SECRET_ARN;
  if (!tokensSecretArn) throw new Error('environment variable TOKENS_SECRET_ARN is not set');
  const rawCache = env.SECRET_CACHE_SECONDS;
  const cacheSeconds = rawCache === undefined || rawCache.trim() === '' ? DEFAULT_CACHE_SECONDS : Number(rawCache);
  if (!Number.isInteger(cacheSeconds) || cacheSeconds < 0 || cacheSeconds > 3600) {
    throw new Error(`SECRET_CACHE_SECONDS must be an integer from 0 to 3600, got '${rawCache}'`);
  }
  return { tokenIdentifier, tokensSecretArn, cacheMilliseconds: cacheSeconds * 1000 };
}
