import type { Principal, PolicyDocument, PolicyStatement } from './types';
import { wildcardMatch } from './wildcards';

type PrincipalBlock = NonNullable<PolicyStatement['Principal']>;

export function statementsOf(document: PolicyDocument): readonly PolicyStatement[] {
  return Array.isArray(document.Statement) ? document.Statement : [document.Statement as PolicyStatement];
}

function asList(value: string | readonly string[] | undefined): readonly string[] {
  if (value === undefined) return [];
  return typeof value === 'string' ? [value] : value;
}

/** Action names are case-insensitive in IAM (`S3:getobject` is `s3:GetObject`). */
export function actionMatches(statement: PolicyStatement, action: string): boolean {
  const matchesOne = (pattern: string) => wildcardMatch(pattern, action, { ignoreCase: true });
  if (statement.Action !== undefined) return asList(statement.Action).some(matchesOne);
  if (statement.NotAction !== undefined) return !asList(statement.NotAction).some(matchesOne);
  return false;
}

/**
 * Resource ARNs are case-sensitive. A resource-based policy may leave Resource out (it is the
 * resource it is attached to); an identity policy statement without one applies to nothing.
 */
export function resourceMatches(statement: PolicyStatement, resource: string, kind: 'identity' | 'resource'): boolean {
  const matchesOne = (pattern: string) => wildcardMatch(pattern, resource);
  if (statement.Resource !== undefined) return asList(statement.Resource).some(matchesOne);
  if (statement.NotResource !== undefined) return !asList(statement.NotResource).some(matchesOne);
  return kind === 'resource';
}

/** How a resource policy statement's Principal names the caller. */
export type PrincipalMatch =
  /** Not named: the statement does not apply. */
  | 'none'
  /** Named by its own ARN, service name, or `*`: an Allow grants access on its own. */
  | 'specific'
  /** Named only through its account (`arn:aws:iam::<account>:root` or the bare account id): an Allow delegates to identity policies. */
  | 'account';

export function principalMatch(statement: PolicyStatement, principal: Principal): PrincipalMatch {
  if (statement.Principal !== undefined) return matchBlock(statement.Principal, principal);
  if (statement.NotPrincipal !== undefined) {
    // NotPrincipal applies to everyone it does not name; whoever it applies to, it names "specifically".
    return matchBlock(statement.NotPrincipal, principal) === 'none' ? 'specific' : 'none';
  }
  return 'none';
}

function matchBlock(block: PrincipalBlock, principal: Principal): PrincipalMatch {
  if (block === '*') return 'specific';
  let best: PrincipalMatch = 'none';
  for (const [type, names] of Object.entries(block)) {
    for (const name of asList(names)) {
      const match = matchName(type, name, principal);
      if (match === 'specific') return match;
      if (match === 'account') best = match;
    }
  }
  return best;
}

function matchName(type: string, name: string, principal: Principal): PrincipalMatch {
  if (type === 'Service') {
    return principal.service !== undefined && name === principal.service ? 'specific' : 'none';
  }
  if (type !== 'AWS') return 'none';
  // {"AWS": "*"} is documented as equivalent to "*".
  if (name === '*') return 'specific';
  if (principal.service !== undefined) return 'none';
  if (name === principal.arn) return 'specific';
  if (name === principal.accountId || new RegExp(`^arn:[^:]+:iam::${principal.accountId}:root$`).test(name)) return 'account';
  return 'none';
}
