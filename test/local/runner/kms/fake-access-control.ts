/**
 * A stand-in for LocalIam in the S3 and KMS tests: real SigV4 verification (the IAM's own
 * SigV4Verifier) for a few known access keys, and allow/deny
 * decided by a rule table the test controls. It records every authorization request so tests can check actions, resources and context.
 */
import { denialReason, SigV4Verifier } from '../../../../local/runner/iam';
import { AccessDecision, AccessRequest, AuthenticationError, type AccessControl, type Principal, type SignedHttpRequest } from '../../../../local/runner/iam/types';

export interface FakeUser {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly arn: string;
}

export interface Rule {
  readonly effect: 'Allow' | 'Deny';
  /** Principal ARN or '*'. */
  readonly principal: string;
  /** Action glob, e.g. `s3:*`. */
  readonly action: string;
  /** Resource glob, e.g. `arn:aws:s3:::vault/*`. */
  readonly resource: string;
}

export const ACCOUNT_ID = '123456789012';

export function user(name: string): FakeUser {
  return { accessKeyId: `AKID${name.toUpperCase()}`, secretAccessKey: `secret-of-${name}`, arn: `arn:aws:iam::${ACCOUNT_ID}:role/${name}` };
}

function glob(pattern: string, value: string): boolean {
  const regex = pattern.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${regex}$`, 's').test(value);
}

export class FakeAccessControl implements AccessControl {
  readonly requests: AccessRequest[] = [];
  /** Every request that passed authentication, to check what actually went over the wire. */
  readonly authenticated: SignedHttpRequest[] = [];
  private readonly verifier: SigV4Verifier;

  constructor(users: readonly FakeUser[], public rules: Rule[] = []) {
    this.verifier = new SigV4Verifier({
      region: 'us-east-1',
      lookup: (accessKeyId) => {
        const known = users.find((u) => u.accessKeyId === accessKeyId);
        return known && { credentials: known, principal: { arn: known.arn, accountId: ACCOUNT_ID } };
      },
    });
  }

  authenticate(request: SignedHttpRequest, service: string): Principal {
    // This double names a missing signature with the code the S3 and KMS tests were written against.
    if (typeof request.headers.authorization !== 'string') throw new AuthenticationError('MissingAuthenticationToken', 'Request is missing Authentication Token');
    const principal = this.verifier.verify(request, service);
    this.authenticated.push(request);
    return principal;
  }

  authorize(request: AccessRequest): AccessDecision {
    this.requests.push(request);
    const matching = this.rules.filter((rule) =>
      (rule.principal === '*' || rule.principal === request.principal.arn) && glob(rule.action, request.action) && glob(rule.resource, request.resource));
    if (matching.some((rule) => rule.effect === 'Deny')) return { allowed: false, reason: denialReason(request, 'an identity-based policy') };
    if (matching.some((rule) => rule.effect === 'Allow')) return { allowed: true, reason: 'allowed by a test rule' };
    return { allowed: false, reason: denialReason(request) };
  }
}
