import { conditionsHold, type ConditionContext } from './condition-operators';
import { denialReason } from './denial-reason';
import { buildConditionContext } from './request-context';
import { actionMatches, principalMatch, resourceMatches, statementsOf } from './statement-matching';
import type { AccessDecision, AccessRequest, PolicyDocument, PolicyStatement } from './types';

export interface EvaluationOptions {
  /** The caller's identity policies (ignored for service principals, which have none). */
  readonly identityPolicies: readonly PolicyDocument[];
  /** For aws:CurrentTime / aws:EpochTime; defaults to the wall clock. */
  readonly now?: Date;
}

interface Applicable {
  readonly statement: PolicyStatement;
  readonly source: 'identity' | 'resource';
  /** For resource policy statements: whether the Principal names the caller itself, or only its account. */
  readonly specific: boolean;
}

/**
 * Same-account IAM evaluation: an explicit Deny anywhere wins; otherwise an Allow in an identity
 * policy, or a resource policy Allow that names this very principal, grants; otherwise implicit deny.
 * Permission boundaries, SCPs and session policies do not exist locally.
 */
export function evaluateAccess(request: AccessRequest, options: EvaluationOptions): AccessDecision {
  const context = buildConditionContext(request, options.now ?? new Date());
  const applicable = applicableStatements(request, options, context);
  const denyFrom = (source: Applicable['source']) => applicable.find((entry) => entry.statement.Effect === 'Deny' && entry.source === source);
  const deny = denyFrom('identity') ?? denyFrom('resource');
  if (deny) {
    return { allowed: false, reason: denialReason(request, deny.source === 'identity' ? 'an identity-based policy' : 'a resource-based policy') };
  }
  const allow = applicable.find((entry) => entry.statement.Effect === 'Allow' && (entry.source === 'identity' || entry.specific));
  if (allow) {
    const kind = allow.source === 'identity' ? 'an identity-based policy' : 'a resource-based policy';
    return { allowed: true, reason: `Allowed by ${kind}${sidNote(allow.statement)}` };
  }
  return { allowed: false, reason: denialReason(request) };
}

function applicableStatements(request: AccessRequest, options: EvaluationOptions, context: ConditionContext): Applicable[] {
  const applicable: Applicable[] = [];
  const consider = (statement: PolicyStatement, source: Applicable['source'], specific: boolean) => {
    if (!actionMatches(statement, request.action)) return;
    if (!resourceMatches(statement, request.resource, source)) return;
    if (!conditionsHold(statement.Condition, context)) return;
    applicable.push({ statement, source, specific });
  };
  if (!request.principal.service) {
    for (const document of options.identityPolicies) {
      for (const statement of statementsOf(document)) consider(statement, 'identity', false);
    }
  }
  if (request.resourcePolicy) {
    for (const statement of statementsOf(request.resourcePolicy)) {
      const match = principalMatch(statement, request.principal);
      if (match !== 'none') consider(statement, 'resource', match === 'specific');
    }
  }
  return applicable;
}


function sidNote(statement: PolicyStatement): string {
  return statement.Sid ? ` (statement ${statement.Sid})` : '';
}
