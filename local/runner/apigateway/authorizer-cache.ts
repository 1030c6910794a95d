/**
 * API Gateway caches an authorizer's answer (its policy, principal and context) by identity source for
 * AuthorizerResultTtlInSeconds, and evaluates the cached policy against each later method ARN.
 */
export interface CachedAuthorization {
  readonly principalId: string;
  readonly policyDocument: unknown;
  readonly context: Readonly<Record<string, string | number | boolean>>;
}

export class AuthorizerCache {
  private readonly entries = new Map<string, { readonly value: CachedAuthorization; readonly expiresAt: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  get(key: string): CachedAuthorization | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.expiresAt <= this.now()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: CachedAuthorization, ttlSeconds: number): void {
    if (ttlSeconds > 0) this.entries.set(key, { value, expiresAt: this.now() + ttlSeconds * 1000 });
  }
}
