/**
 * The policy a Lambda authorizer returns decides alone whether the caller may invoke the method: an
 * explicit Deny wins, otherwise an Allow must name `execute-api:Invoke` on the method ARN. Actions and
 * resources may use `*` and `?` wildcards, as API Gateway accepts.
 */
import { wildcardMatch } from '../iam/wildcards';

export type AuthorizerPolicyDecision = 'allow' | 'deny' | 'no-allow';

interface Statement {
  readonly Effect?: unknown;
  readonly Action?: unknown;
  readonly Resource?: unknown;
}

/** Throws for a policy document API Gateway would reject (no Statement, Effect not Allow/Deny). */
export function evaluateAuthorizerPolicy(policyDocument: unknown, methodArn: string): AuthorizerPolicyDecision {
  const statements = statementsOf(policyDocument);
  const applies = (statement: Statement) => listOf(statement.Action).some((action) => wildcardMatch(action, 'execute-api:Invoke', { ignoreCase: true }))
    && listOf(statement.Resource).some((resource) => wildcardMatch(resource, methodArn));
  const applying = statements.filter(applies);
  if (applying.some((statement) => statement.Effect === 'Deny')) return 'deny';
  return applying.some((statement) => statement.Effect === 'Allow') ? 'allow' : 'no-allow';
}

function statementsOf(policyDocument: unknown): Statement[] {
  if (typeof policyDocument !== 'object' || policyDocument === null) throw new Error('policyDocument is not an object');
  const statement = (policyDocument as { Statement?: unknown }).Statement;
  const statements = Array.isArray(statement) ? statement : statement === undefined ? [] : [statement];
  if (statements.length === 0) throw new Error('policyDocument has no Statement');
  for (const entry of statements) {
    if (typeof entry !== 'object' || entry === null || !['Allow', 'Deny'].includes((entry as Statement).Effect as string)) {
      throw new Error('a policyDocument statement has no Effect Allow or Deny');
    }
  }
  return statements as Statement[];
}

function listOf(value: unknown): string[] {
  if (typeof value === 'string') return [value];
  return Array.isArray(value) ? value.filter((entry): entry is string => typeof entry === 'string') : [];
}
