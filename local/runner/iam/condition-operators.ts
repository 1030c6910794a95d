import { arnMatch, wildcardMatch } from './wildcards';

/** The request context as conditions see it: key names lower-cased, since IAM compares them case-insensitively. */
export type ConditionContext = ReadonlyMap<string, readonly string[]>;

export type ConditionBlock = Readonly<Record<string, Readonly<Record<string, string | boolean | readonly (string | boolean)[]>>>>;

/** A policy condition operator that this local IAM does not implement; failing loudly beats guessing. */
export class UnsupportedConditionOperatorError extends Error {
  constructor(operator: string) {
    super(`Unsupported IAM condition operator: ${operator}`);
    this.name = 'UnsupportedConditionOperatorError';
  }
}

/** Compares one value from the request with one value from the policy. */
type ValueTest = (requestValue: string, policyValue: string) => boolean;

interface BaseOperator {
  readonly test: ValueTest;
  /** Negated operators are true when no policy value matches, and (like AWS) true when the key is missing. */
  readonly negated: boolean;
}

const numeric = (compare: (a: number, b: number) => boolean): ValueTest => (requestValue, policyValue) => {
  const a = Number(requestValue);
  const b = Number(policyValue);
  return requestValue.trim() !== '' && policyValue.trim() !== '' && !Number.isNaN(a) && !Number.isNaN(b) && compare(a, b);
};

const date = (compare: (a: number, b: number) => boolean): ValueTest => (requestValue, policyValue) => {
  const a = toEpochMillis(requestValue);
  const b = toEpochMillis(policyValue);
  return a !== undefined && b !== undefined && compare(a, b);
};

/** IAM accepts both ISO 8601 dates and epoch seconds in date conditions. */
function toEpochMillis(value: string): number | undefined {
  const millis = /^\d+$/.test(value) ? Number(value) * 1000 : Date.parse(value);
  return Number.isNaN(millis) ? undefined : millis;
}

const stringEquals: ValueTest = (a, b) => a === b;
const stringLike: ValueTest = (a, b) => wildcardMatch(b, a);
const numericEquals = numeric((a, b) => a === b);
const dateEquals = date((a, b) => a === b);

/** Keyed by lower-cased operator name: operator names, like key names, are matched case-insensitively here. */
const BASE_OPERATORS: ReadonlyMap<string, BaseOperator> = new Map<string, BaseOperator>([
  ['stringequals', { test: stringEquals, negated: false }],
  ['stringnotequals', { test: stringEquals, negated: true }],
  ['stringequalsignorecase', { test: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false }],
  ['stringnotequalsignorecase', { test: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: true }],
  ['stringlike', { test: stringLike, negated: false }],
  ['stringnotlike', { test: stringLike, negated: true }],
  ['arnequals', { test: (a, b) => arnMatch(b, a), negated: false }],
  ['arnlike', { test: (a, b) => arnMatch(b, a), negated: false }],
  ['arnnotequals', { test: (a, b) => arnMatch(b, a), negated: true }],
  ['arnnotlike', { test: (a, b) => arnMatch(b, a), negated: true }],
  ['bool', { test: (a, b) => a.toLowerCase() === b.toLowerCase(), negated: false }],
  ['numericequals', { test: numericEquals, negated: false }],
  ['numericnotequals', { test: numericEquals, negated: true }],
  ['numericlessthan', { test: numeric((a, b) => a < b), negated: false }],
  ['numericlessthanequals', { test: numeric((a, b) => a <= b), negated: false }],
  ['numericgreaterthan', { test: numeric((a, b) => a > b), negated: false }],
  ['numericgreaterthanequals', { test: numeric((a, b) => a >= b), negated: false }],
  ['dateequals', { test: dateEquals, negated: false }],
  ['datenotequals', { test: dateEquals, negated: true }],
  ['datelessthan', { test: date((a, b) => a < b), negated: false }],
  ['datelessthanequals', { test: date((a, b) => a <= b), negated: false }],
  ['dategreaterthan', { test: date((a, b) => a > b), negated: false }],
  ['dategreaterthanequals', { test: date((a, b) => a >= b), negated: false }],
]);

interface ParsedOperator {
  readonly name: string;
  readonly setQualifier?: 'ForAnyValue' | 'ForAllValues';
  readonly ifExists: boolean;
  /** Undefined for `Null`, which looks at presence rather than values. */
  readonly base?: BaseOperator;
}

function parseOperator(operator: string): ParsedOperator {
  let rest = operator;
  let setQualifier: ParsedOperator['setQualifier'];
  const qualifier = /^(ForAnyValue|ForAllValues):/i.exec(rest);
  if (qualifier) {
    setQualifier = qualifier[1].toLowerCase() === 'foranyvalue' ? 'ForAnyValue' : 'ForAllValues';
    rest = rest.slice(qualifier[0].length);
  }
  const ifExists = /IfExists$/i.test(rest) && rest.toLowerCase() !== 'ifexists';
  if (ifExists) rest = rest.slice(0, -'IfExists'.length);
  if (rest.toLowerCase() === 'null' && !ifExists && !setQualifier) return { name: operator, ifExists: false };
  const base = BASE_OPERATORS.get(rest.toLowerCase());
  if (!base) throw new UnsupportedConditionOperatorError(operator);
  return { name: operator, setQualifier, ifExists, base };
}

function asStrings(value: string | boolean | readonly (string | boolean)[]): string[] {
  const values = Array.isArray(value) ? value : [value];
  return values.map((item) => String(item));
}

/** Every operator and every key in a Condition block must hold (AND); the values of one key are alternatives (OR). */
export function conditionsHold(condition: ConditionBlock | undefined, context: ConditionContext): boolean {
  if (!condition) return true;
  return Object.entries(condition).every(([operator, keys]) => {
    const parsed = parseOperator(operator);
    return Object.entries(keys).every(([key, policyValue]) =>
      operatorHolds(parsed, context.get(key.toLowerCase()), asStrings(policyValue)));
  });
}

function operatorHolds(operator: ParsedOperator, requestValues: readonly string[] | undefined, policyValues: readonly string[]): boolean {
  const present = requestValues !== undefined && requestValues.length > 0;
  if (!operator.base) {
    // Null: "true" asks for the key to be absent, "false" for it to be present.
    return policyValues.some((value) => (value.toLowerCase() === 'true') === !present);
  }
  const base = operator.base;
  // One request value satisfies the operator when it matches some policy value (or, negated, none of them).
  const satisfies = (requestValue: string): boolean => {
    const matchesAny = policyValues.some((policyValue) => base.test(requestValue, policyValue));
    return base.negated ? !matchesAny : matchesAny;
  };
  if (operator.setQualifier === 'ForAllValues') {
    // Vacuously true for a missing key or an empty set, as in AWS.
    return !present || requestValues.every(satisfies);
  }
  if (!present) {
    if (operator.ifExists) return true;
    // ForAnyValue needs at least one value; otherwise negated operators hold for a missing key.
    return operator.setQualifier === undefined && base.negated;
  }
  if (operator.setQualifier === 'ForAnyValue') return requestValues.some(satisfies);
  // A single-valued operator given a multi-valued key: the negated form must hold for every value.
  return base.negated ? requestValues.every(satisfies) : requestValues.some(satisfies);
}
