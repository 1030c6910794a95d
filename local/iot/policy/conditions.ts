import type { ParsedCondition } from './document';
import { IotPolicyContext } from './types';
import { contextValue, expandPolicyString, PatternToken, tokensAsText } from './variables';
import { matchesArn, matchesGlob } from './wildcard';

type Family = 'string' | 'stringIgnoreCase' | 'stringLike' | 'arn' | 'bool' | 'numeric' | 'null' | 'notModelled';

interface BaseOperator {
  readonly family: Family;
  /** Negated operators (StringNotEquals...) hold when no policy value matches, and when the key is absent. */
  readonly negated: boolean;
  readonly numeric?: (requestValue: number, policyValue: number) => boolean;
}

/**
 * IAM's condition operators (IAM user guide, "Condition operators"). Those
 * marked `notModelled` (dates, IP addresses, binary) are valid in a document
 * but compare keys AWS IoT's MQTT connection does not offer here
 * (`aws:CurrentTime`, `aws:SourceIp`); they are evaluated fail-closed, see
 * {@link ConditionResult}.
 */
const OPERATORS: Readonly<Record<string, BaseOperator>> = {
  StringEquals: { family: 'string', negated: false },
  StringNotEquals: { family: 'string', negated: true },
  StringEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: false },
  StringNotEqualsIgnoreCase: { family: 'stringIgnoreCase', negated: true },
  StringLike: { family: 'stringLike', negated: false },
  StringNotLike: { family: 'stringLike', negated: true },
  ArnEquals: { family: 'arn', negated: false },
  ArnLike: { family: 'arn', negated: false },
  ArnNotEquals: { family: 'arn', negated: true },
  ArnNotLike: { family: 'arn', negated: true },
  Bool: { family: 'bool', negated: false },
  NumericEquals: { family: 'numeric', negated: false, numeric: (r, p) => r === p },
  NumericNotEquals: { family: 'numeric', negated: true, numeric: (r, p) => r === p },
  NumericLessThan: { family: 'numeric', negated: false, numeric: (r, p) => r < p },
  NumericLessThanEquals: { family: 'numeric', negated: false, numeric: (r, p) => r <= p },
  NumericGreaterThan: { family: 'numeric', negated: false, numeric: (r, p) => r > p },
  NumericGreaterThanEquals: { family: 'numeric', negated: false, numeric: (r, p) => r >= p },
  Null: { family: 'null', negated: false },
  DateEquals: { family: 'notModelled', negated: false },
  DateNotEquals: { family: 'notModelled', negated: true },
  DateLessThan: { family: 'notModelled', negated: false },
  DateLessThanEquals: { family: 'notModelled', negated: false },
  DateGreaterThan: { family: 'notModelled', negated: false },
  DateGreaterThanEquals: { family: 'notModelled', negated: false },
  BinaryEquals: { family: 'notModelled', negated: false },
  IpAddress: { family: 'notModelled', negated: false },
  NotIpAddress: { family: 'notModelled', negated: true },
};

/** A condition operator taken apart: `ForAllValues:StringLikeIfExists` and the like. */
export interface ConditionOperator {
  readonly qualifier?: 'ForAnyValue' | 'ForAllValues';
  readonly name: string;
  readonly ifExists: boolean;
  readonly base: BaseOperator;
}

/**
 * Reads an operator name, or `undefined` when IAM's grammar has no such
 * operator. Names are case-sensitive. `Null` takes neither `IfExists` nor a set qualifier.
 */
export function parseConditionOperator(operator: string): ConditionOperator | undefined {
  const qualified = /^(ForAnyValue|ForAllValues):(.+)$/.exec(operator);
  const qualifier = qualified ? qualified[1] as 'ForAnyValue' | 'ForAllValues' : undefined;
  let name = qualified ? qualified[2] : operator;
  const ifExists = name.endsWith('IfExists');
  if (ifExists) name = name.slice(0, -'IfExists'.length);
  if (!Object.prototype.hasOwnProperty.call(OPERATORS, name)) return undefined;
  const base = OPERATORS[name];
  if (base.family === 'null' && (ifExists || qualifier !== undefined)) return undefined;
  return { qualifier, name, ifExists, base };
}

/**
 * `true` or `false`, or `notModelled` for an operator this stand-in cannot
 * evaluate. The caller fails closed on `notModelled`: an Allow statement with
 * such a condition grants nothing, a Deny statement with one still denies.
 */
export type ConditionResult = boolean | 'notModelled';

/**
 * Evaluates one condition against the connection, as IAM does:
 * - several values for one key: any may match (for a negated operator, none may);
 * - an absent key fails a positive operator and satisfies a negated one ("If the
 *   policy condition requires that the key is not matched, such as StringNotLike
 *   or ArnNotLike, and the right key is not present, the condition is true");
 *   `...IfExists` makes an absent key satisfy any operator; `ForAllValues` is true
 *   and `ForAnyValue` false on an absent key;
 * - a policy value whose variable has no value is "effectively null": it equals
 *   nothing, so it never satisfies a positive operator and never spoils a negated one.
 */
export function evaluateCondition(condition: ParsedCondition, context: IotPolicyContext, substitutesVariables: boolean): ConditionResult {
  const operator = parseConditionOperator(condition.operator);
  // Unknown operators never get here: parsePolicyDocument refuses them, as
  // CreatePolicy would. Should one slip through, it fails closed like a notModelled one.
  if (operator === undefined || operator.base.family === 'notModelled') return 'notModelled';
  const requestValue = contextValue(condition.key, context);

  if (operator.base.family === 'null') {
    const absent = requestValue === undefined;
    return condition.values.some((value) => value.toLowerCase() === (absent ? 'true' : 'false'));
  }

  const patterns = condition.values
    .map((value) => operator.base.family === 'numeric'
      ? [{ kind: 'text', text: value } as PatternToken]
      : expandPolicyString(value, context, substitutesVariables))
    .filter((tokens): tokens is PatternToken[] => tokens !== undefined);
  const matchesAny = (value: string) => patterns.some((tokens) => compare(operator.base, tokens, value));
  const satisfies = (value: string) => operator.base.negated ? !matchesAny(value) : matchesAny(value);

  if (requestValue === undefined) {
    if (operator.ifExists) return true;
    if (operator.qualifier === 'ForAllValues') return true;
    if (operator.qualifier === 'ForAnyValue') return false;
    return operator.base.negated;
  }
  // Every key this stand-in offers is single-valued, so a set qualifier sees a one-element set.
  return satisfies(requestValue);
}

function compare(operator: BaseOperator, tokens: readonly PatternToken[], value: string): boolean {
  switch (operator.family) {
    case 'string': return tokensAsText(tokens) === value;
    case 'stringIgnoreCase': return tokensAsText(tokens).toLowerCase() === value.toLowerCase();
    case 'stringLike': return matchesGlob(tokens, value, false);
    case 'arn': return matchesArn(tokens, value, false);
    case 'bool': return tokensAsText(tokens).toLowerCase() === value.toLowerCase();
    case 'numeric': {
      const policyNumber = Number(tokensAsText(tokens));
      const requestNumber = Number(value);
      // A value that is not a number is skipped rather than compared.
      if (Number.isNaN(policyNumber) || Number.isNaN(requestNumber) || operator.numeric === undefined) return false;
      return operator.numeric(requestNumber, policyNumber);
    }
    default: return false;
  }
}
