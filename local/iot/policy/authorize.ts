import { resourceKindOf } from './arn';
import { evaluateCondition } from './conditions';
import { parsePolicyDocument, ParsedPolicy, ParsedStatement } from './document';
import { PolicyDocumentError } from './errors';
import { AuthorizationDecision, IotDataAction, IotPolicyContext, NamedPolicyDocument } from './types';
import { expandPolicyString } from './variables';
import { matchesArn, matchesGlob } from './wildcard';

/**
 * Decides whether a connection may perform an MQTT action on a resource,
 * given every policy document attached to its certificate, as AWS IoT Core
 * does ("AWS IoT Core policies follow the same policy evaluation logic as IAM
 * policies"): an explicit Deny in any statement wins; otherwise an Allow in any
 * statement allows; otherwise the action is implicitly denied.
 *
 * `resourceArn` is the ARN of the resource the action is authorized against
 * ({@link resourceKindOf}, {@link dataPlaneArn}): `client/<clientId>` for
 * Connect, `topicfilter/<filter>` for Subscribe, `topic/<topic>` for Publish,
 * Receive and RetainPublish.
 *
 * A document that does not validate makes the whole decision a deny: AWS would
 * never have stored it, so evaluating around it could only guess.
 */
export function authorize(
  policyDocuments: readonly (string | NamedPolicyDocument)[],
  action: IotDataAction,
  resourceArn: string,
  context: IotPolicyContext,
): AuthorizationDecision {
  const policies: { name: string; policy: ParsedPolicy }[] = [];
  for (const [index, entry] of policyDocuments.entries()) {
    const name = typeof entry === 'string' ? `#${index + 1}` : `"${entry.policyName}"`;
    const parsed = cachedParse(typeof entry === 'string' ? entry : entry.document);
    if (parsed instanceof PolicyDocumentError) {
      return { allowed: false, reason: `denied: policy ${name} is malformed (${parsed.message})` };
    }
    policies.push({ name, policy: parsed });
  }

  let allowedBy: string | undefined;
  for (const { name, policy } of policies) {
    for (const statement of policy.statements) {
      if (!appliesTo(statement, policy.substitutesVariables, action, resourceArn, context)) continue;
      const where = `policy ${name} statement ${describe(statement)}`;
      if (statement.effect === 'Deny') {
        return { allowed: false, reason: `explicit deny of ${action} on ${resourceArn} in ${where}` };
      }
      allowedBy ??= where;
    }
  }
  if (allowedBy !== undefined) return { allowed: true, reason: `${action} on ${resourceArn} allowed by ${allowedBy}` };
  if (policies.length === 0) return { allowed: false, reason: `no policy is attached, so ${action} on ${resourceArn} is denied` };
  return { allowed: false, reason: `no statement allows ${action} on ${resourceArn}${kindHint(policies, action, resourceArn, context)}` };
}

/** Does the statement cover this request: action, resource and every condition. */
function appliesTo(
  statement: ParsedStatement,
  substitutesVariables: boolean,
  action: string,
  resourceArn: string,
  context: IotPolicyContext,
): boolean {
  // Action names compare without regard to case ("The prefix and the action name are case insensitive").
  const actionMatches = (patterns: readonly string[]) =>
    patterns.some((pattern) => matchesGlob(expandPolicyString(pattern, context, false) ?? [], action, true));
  if (statement.actions !== undefined && !actionMatches(statement.actions)) return false;
  if (statement.notActions !== undefined && actionMatches(statement.notActions)) return false;

  // A resource whose variable has no value matches nothing (IAM, "Policy variables with no value").
  const resourceMatches = (patterns: readonly string[]) => patterns.some((pattern) => {
    const tokens = expandPolicyString(pattern, context, substitutesVariables);
    return tokens !== undefined && matchesArn(tokens, resourceArn, true);
  });
  if (statement.resources !== undefined && !resourceMatches(statement.resources)) return false;
  if (statement.notResources !== undefined && resourceMatches(statement.notResources)) return false;

  for (const condition of statement.conditions) {
    const result = evaluateCondition(condition, context, substitutesVariables);
    // Fail closed on an operator this stand-in cannot evaluate: it never lets an
    // Allow grant, and it never stops a Deny from denying.
    if (result === 'notModelled') {
      if (statement.effect === 'Allow') return false;
      continue;
    }
    if (!result) return false;
  }
  return true;
}

/**
 * The classic mistake, named: Subscribe is authorized against `topicfilter/`
 * ARNs, Publish and Receive against `topic/` ones. When the other kind would
 * have been allowed, say so.
 */
function kindHint(
  policies: readonly { name: string; policy: ParsedPolicy }[],
  action: IotDataAction,
  resourceArn: string,
  context: IotPolicyContext,
): string {
  const kind = resourceKindOf(action);
  const other = kind === 'topicfilter' ? 'topic' : kind === 'topic' ? 'topicfilter' : undefined;
  const marker = `:${kind}/`;
  if (other === undefined || !resourceArn.includes(marker)) return '';
  const otherArn = resourceArn.replace(marker, `:${other}/`);
  const wouldAllow = policies.some(({ policy }) => policy.statements.some((statement) =>
    statement.effect === 'Allow' && appliesTo(statement, policy.substitutesVariables, action, otherArn, context)));
  return wouldAllow
    ? ` (a statement allows it on ${otherArn}, but ${action} is authorized against ${kind}/ ARNs, not ${other}/)`
    : '';
}

function describe(statement: ParsedStatement): string {
  return statement.sid === undefined ? `#${statement.position}` : `"${statement.sid}" (#${statement.position})`;
}

const parsedDocuments = new Map<string, ParsedPolicy | PolicyDocumentError>();
const PARSED_DOCUMENTS_LIMIT = 500;

/** Documents are parsed once: the gateway authorizes every PUBLISH and every delivery with the same few texts. */
function cachedParse(text: string): ParsedPolicy | PolicyDocumentError {
  let parsed = parsedDocuments.get(text);
  if (parsed === undefined) {
    try {
      parsed = parsePolicyDocument(text);
    } catch (error) {
      if (!(error instanceof PolicyDocumentError)) throw error;
      parsed = error;
    }
    if (parsedDocuments.size >= PARSED_DOCUMENTS_LIMIT) parsedDocuments.clear();
    parsedDocuments.set(text, parsed);
  }
  return parsed;
}
