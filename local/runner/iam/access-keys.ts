import { randomBytes } from 'node:crypto';
import type { KnownAccessKey } from './sigv4-verifier';
import type { LocalCredentials, Principal } from './types';

const KEY_ID_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** Random access key ids in AWS's shape: a 4-letter prefix and 16 upper-case base32 characters. */
function newAccessKeyId(prefix: 'ASIA' | 'AKIA'): string {
  return prefix + Array.from(randomBytes(16), (byte) => KEY_ID_ALPHABET[byte % KEY_ID_ALPHABET.length]).join('');
}

function newSecretAccessKey(): string {
  return randomBytes(30).toString('base64');
}

/**
 * Issues one set of credentials per principal and remembers which principal each key belongs to.
 * Roles get temporary credentials (ASIA... with a session token), as a Lambda function's role
 * session does; users get long-term ones (AKIA..., no token).
 */
export class AccessKeys {
  private readonly byAccessKeyId = new Map<string, KnownAccessKey>();
  private readonly byPrincipalArn = new Map<string, LocalCredentials>();

  issue(principal: Principal, kind: 'temporary' | 'long-term'): LocalCredentials {
    const existing = this.byPrincipalArn.get(principal.arn);
    if (existing) return existing;
    const credentials: LocalCredentials = kind === 'temporary'
      ? { accessKeyId: newAccessKeyId('ASIA'), secretAccessKey: newSecretAccessKey(), sessionToken: randomBytes(96).toString('base64') }
      : { accessKeyId: newAccessKeyId('AKIA'), secretAccessKey: newSecretAccessKey() };
    this.byPrincipalArn.set(principal.arn, credentials);
    this.byAccessKeyId.set(credentials.accessKeyId, { credentials, principal });
    return credentials;
  }

  lookup(accessKeyId: string): KnownAccessKey | undefined {
    return this.byAccessKeyId.get(accessKeyId);
  }
}
