import { denialReason, SigV4Verifier } from '../../../../local/runner/iam';
import {
  AuthenticationError,
  type AccessControl,
  type AccessDecision,
  type AccessRequest,
  type Principal,
  type SignedHttpRequest,
} from '../../../../local/runner/iam/types';

/** One access key the fake knows: its secret and whose it is. */
export interface TestKey {
  readonly accessKeyId: string;
  readonly secretAccessKey: string;
  readonly principalArn: string;
}

/** An identity-policy Allow, flattened: `resource` may end in `*` (a prefix match) or be `*`. */
export interface TestGrant {
  readonly principalArn: string;
  readonly action: string;
  readonly resource: string;
}

/**
 * A stand-in for the local IAM: SigV4 checked against a table of access keys (by the IAM's own verifier), authorization from a
 * table of Allow grants (no statement -> implicit deny). Records what it was asked, for assertions.
 */
export class TableAccessControl implements AccessControl {
  readonly asked: AccessRequest[] = [];
  private readonly verifier: SigV4Verifier;

  /** Checks signatures with the local IAM's own SigV4Verifier, for credential scopes in `region`. */
  constructor(accountId: string, keys: readonly TestKey[], private readonly grants: readonly TestGrant[], region = 'us-east-1') {
    this.verifier = new SigV4Verifier({
      region,
      lookup: (accessKeyId) => {
        const key = keys.find((candidate) => candidate.accessKeyId === accessKeyId);
        return key && { credentials: key, principal: { arn: key.principalArn, accountId } };
      },
    });
  }

  authenticate(request: SignedHttpRequest, service: string): Principal {
    const authorization = request.headers.authorization;
    if (typeof authorization !== 'string' || authorization === '') {
      throw new AuthenticationError('MissingAuthenticationTokenException', 'Missing Authentication Token');
    }
    try {
      return this.verifier.verify(request, service);
    } catch (error) {
      // The words the control plane's tests expect for a wrong signature; the check itself is the IAM's.
      if (error instanceof AuthenticationError && error.code === 'InvalidSignatureException' && /does not match/.test(error.message)) {
        throw new AuthenticationError(error.code, 'The request signature we calculated does not match the signature you provided.');
      }
      throw error;
    }
  }

  authorize(request: AccessRequest): AccessDecision {
    this.asked.push(request);
    const allowed = this.grants.some(grant => grant.principalArn === request.principal.arn
      && grant.action === request.action
      && (grant.resource.endsWith('*') ? request.resource.startsWith(grant.resource.slice(0, -1)) : grant.resource === request.resource));
    return { allowed, reason: allowed ? '' : denialReason(request) };
  }
}
