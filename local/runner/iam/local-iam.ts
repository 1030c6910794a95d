import { AccessKeys } from './access-keys';
import { evaluateAccess } from './policy-evaluator';
import { SigV4Verifier } from './sigv4-verifier';
import type { AccessControl, AccessDecision, AccessRequest, LocalCredentials, PolicyDocument, Principal, SignedHttpRequest } from './types';

export interface LocalIamOptions {
  readonly accountId: string;
  readonly region: string;
  /** The clock for signature expiry and aws:CurrentTime; defaults to the wall clock. */
  readonly now?: () => Date;
}

/** The identity policy of the demo's own user: it may do anything, as an account administrator would. */
const ADMIN_POLICY: PolicyDocument = {
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
};

/** A principal for an AWS service acting on its own behalf (API Gateway, IoT rules invoking a function). */
export function servicePrincipal(service: string, accountId: string): Principal {
  return { arn: service, accountId, service };
}

/**
 * The account's IAM: the roles of the synthesized stacks with their policies, credentials for
 * them, SigV4 authentication of the calls made with those credentials, and policy evaluation.
 */
export class LocalIam implements AccessControl {
  private readonly policies = new Map<string, PolicyDocument[]>();
  private readonly trustPolicies = new Map<string, PolicyDocument>();
  private readonly accessKeys = new AccessKeys();
  private readonly verifier: SigV4Verifier;
  private readonly now: () => Date;

  constructor(private readonly options: LocalIamOptions) {
    this.now = options.now ?? (() => new Date());
    this.verifier = new SigV4Verifier({ region: options.region, lookup: (id) => this.accessKeys.lookup(id), now: this.now });
  }

  /** Declares a role (idempotent), with policies it already has. */
  addRole(roleArn: string, policies: readonly PolicyDocument[] = []): void {
    const existing = this.policies.get(roleArn);
    if (existing) existing.push(...policies);
    else this.policies.set(roleArn, [...policies]);
  }

  /** Adds one identity policy to a role, declaring the role if the runner meets the policy first. */
  attachRolePolicy(roleArn: string, document: PolicyDocument): void {
    this.addRole(roleArn, [document]);
  }

  /** Sets a role's trust policy (AssumeRolePolicyDocument), declaring the role if needed. */
  setTrustPolicy(roleArn: string, document: PolicyDocument): void {
    this.addRole(roleArn);
    this.trustPolicies.set(roleArn, document);
  }

  /** The role's trust policy, if it has one: the resource policy an sts:AssumeRole is checked against. */
  trustPolicyOf(roleArn: string): PolicyDocument | undefined {
    return this.trustPolicies.get(roleArn);
  }

  /** Whether the role (or user) is declared. */
  hasRole(roleArn: string): boolean {
    return this.policies.has(roleArn);
  }

  /** The role's temporary credentials: issued on first request, the same ones afterwards. */
  credentialsFor(roleArn: string): LocalCredentials {
    if (!this.policies.has(roleArn)) throw new Error(`Unknown role ${roleArn}: declare it with addRole first`);
    return this.accessKeys.issue(this.principalFor(roleArn), 'temporary');
  }

  /** Long-term credentials of `user/local-admin`, allowed everything by its identity policy. */
  adminCredentials(): LocalCredentials {
    const adminArn = `arn:aws:iam::${this.options.accountId}:user/local-admin`;
    if (!this.policies.has(adminArn)) this.addRole(adminArn, [ADMIN_POLICY]);
    return this.accessKeys.issue(this.principalFor(adminArn), 'long-term');
  }

  policiesOf(principalArn: string): readonly PolicyDocument[] {
    return this.policies.get(principalArn) ?? [];
  }

  authenticate(request: SignedHttpRequest, service: string): Principal {
    return this.verifier.verify(request, service);
  }

  authorize(request: AccessRequest): AccessDecision {
    const identityPolicies = request.principal.service ? [] : this.policiesOf(request.principal.arn);
    return evaluateAccess(request, { identityPolicies, now: this.now() });
  }

  private principalFor(arn: string): Principal {
    return { arn, accountId: this.options.accountId };
  }
}
