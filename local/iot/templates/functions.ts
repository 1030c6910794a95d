import { TemplateError } from './errors';

/**
 * Intrinsic function calls, recognised and shape-checked in one place so that static validation
 * and evaluation agree on what a template means.
 *
 * The provisioning-template documentation lists Fn::Join, Fn::Select, Fn::FindInMap, Fn::Split and
 * Fn::Sub (plus Ref). The condition functions (Fn::If with Fn::Equals, Fn::Not, Fn::And, Fn::Or and a
 * Conditions section) follow CloudFormation's semantics; the AWS IoT guide does not list them.
 */
export type ValueCall =
  | { readonly fn: 'Ref'; readonly name: string }
  | { readonly fn: 'Fn::Join'; readonly delimiter: string; readonly list: unknown }
  | { readonly fn: 'Fn::Split'; readonly delimiter: string; readonly source: unknown }
  | { readonly fn: 'Fn::Select'; readonly index: unknown; readonly list: unknown }
  | { readonly fn: 'Fn::FindInMap'; readonly map: unknown; readonly topKey: unknown; readonly secondKey: unknown }
  | { readonly fn: 'Fn::Sub'; readonly text: string; readonly variables: Readonly<Record<string, unknown>> }
  | { readonly fn: 'Fn::If'; readonly condition: string; readonly whenTrue: unknown; readonly whenFalse: unknown };

export type ConditionCall =
  | { readonly fn: 'Fn::Equals'; readonly left: unknown; readonly right: unknown }
  | { readonly fn: 'Fn::Not'; readonly operand: unknown }
  | { readonly fn: 'Fn::And' | 'Fn::Or'; readonly operands: readonly unknown[] }
  | { readonly fn: 'Condition'; readonly name: string };

type Call = ValueCall | ConditionCall;

/** The functions a value (resource property, DeviceConfiguration entry) may call. */
export const VALUE_FUNCTIONS = ['Ref', 'Fn::Join', 'Fn::Split', 'Fn::Select', 'Fn::FindInMap', 'Fn::Sub', 'Fn::If'] as const;
/** The functions a Conditions entry is made of. */
export const CONDITION_FUNCTIONS = ['Fn::Equals', 'Fn::Not', 'Fn::And', 'Fn::Or', 'Condition'] as const;

/** Pseudo value that removes a property or list element (`{"Ref": "AWS::NoValue"}`, CloudFormation semantics). */
export const NO_VALUE_REF = 'AWS::NoValue';

export function isPlainObject(node: unknown): node is Record<string, unknown> {
  return typeof node === 'object' && node !== null && !Array.isArray(node);
}

/**
 * The call `node` makes, or undefined when it is plain data. `where` names the spot for messages.
 * `context` says whether condition functions (and `{"Condition": name}`) are expected here.
 */
export function parseCall(node: unknown, where: string, context: 'value'): ValueCall | undefined;
export function parseCall(node: unknown, where: string, context: 'condition'): ConditionCall | undefined;
export function parseCall(node: unknown, where: string, context: 'value' | 'condition'): Call | undefined {
  if (!isPlainObject(node)) return undefined;
  const keys = Object.keys(node);
  if (keys.length !== 1) return undefined;
  const fn = keys[0];
  const arg = node[fn];
  if (fn === 'Condition') {
    return context === 'condition' ? { fn, name: nameArgument(fn, arg, where) } : undefined;
  }
  if (fn !== 'Ref' && !fn.startsWith('Fn::')) return undefined;
  const allowed: readonly string[] = context === 'value' ? VALUE_FUNCTIONS : CONDITION_FUNCTIONS;
  if (!allowed.includes(fn)) {
    if ((CONDITION_FUNCTIONS as readonly string[]).includes(fn)) {
      throw new TemplateError(`${where}: ${fn} can only be used in the Conditions section (use Fn::If with a condition name)`);
    }
    if ((VALUE_FUNCTIONS as readonly string[]).includes(fn)) {
      throw new TemplateError(`${where}: ${fn} cannot be used as a condition; use Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}`);
    }
    throw new TemplateError(`${where}: Unsupported intrinsic function: ${fn}`);
  }
  switch (fn) {
    case 'Ref':
      return { fn, name: nameArgument(fn, arg, where) };
    case 'Fn::Join': {
      const [delimiter, list] = listArgument(fn, arg, 2, where);
      return { fn, delimiter: literalString(fn, 'delimiter', delimiter, where), list };
    }
    case 'Fn::Split': {
      const [delimiter, source] = listArgument(fn, arg, 2, where);
      return { fn, delimiter: literalString(fn, 'delimiter', delimiter, where), source };
    }
    case 'Fn::Select': {
      const [index, list] = listArgument(fn, arg, 2, where);
      return { fn, index, list };
    }
    case 'Fn::FindInMap': {
      const [map, topKey, secondKey] = listArgument(fn, arg, 3, where);
      return { fn, map, topKey, secondKey };
    }
    case 'Fn::Sub':
      return subCall(arg, where);
    case 'Fn::If': {
      const [condition, whenTrue, whenFalse] = listArgument(fn, arg, 3, where);
      return { fn, condition: literalString(fn, 'condition name', condition, where), whenTrue, whenFalse };
    }
    case 'Fn::Equals': {
      const [left, right] = listArgument(fn, arg, 2, where);
      return { fn, left, right };
    }
    case 'Fn::Not': {
      const [operand] = listArgument(fn, arg, 1, where);
      return { fn, operand };
    }
    default: {
      // Fn::And and Fn::Or take 2 to 10 conditions.
      const operands = Array.isArray(arg) ? arg : [];
      if (operands.length < 2 || operands.length > 10) {
        throw new TemplateError(`${where}: ${fn} takes a list of 2 to 10 conditions`);
      }
      return { fn: fn as 'Fn::And' | 'Fn::Or', operands };
    }
  }
}

function nameArgument(fn: string, arg: unknown, where: string): string {
  if (typeof arg !== 'string' || arg === '') throw new TemplateError(`${where}: ${fn} takes a name (a non-empty string)`);
  return arg;
}

function listArgument(fn: string, arg: unknown, length: number, where: string): unknown[] {
  if (!Array.isArray(arg) || arg.length !== length) {
    throw new TemplateError(`${where}: ${fn} takes a list of ${length} argument${length === 1 ? '' : 's'}`);
  }
  return arg;
}

function literalString(fn: string, what: string, arg: unknown, where: string): string {
  if (typeof arg !== 'string') throw new TemplateError(`${where}: the ${what} of ${fn} must be a literal string`);
  return arg;
}

function subCall(arg: unknown, where: string): Call {
  if (typeof arg === 'string') return { fn: 'Fn::Sub', text: arg, variables: {} };
  if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && isPlainObject(arg[1])) {
    return { fn: 'Fn::Sub', text: arg[0], variables: arg[1] };
  }
  throw new TemplateError(`${where}: Fn::Sub takes a string, or a list of a string and a map of variables`);
}

/** A piece of an Fn::Sub string: literal text, or a `${Name}` to substitute. */
export type SubPart = { readonly text: string } | { readonly variable: string };

/**
 * Splits an Fn::Sub string. `${Name}` is a variable; `${!Literal}` is the literal text `${Literal}`
 * (how a template writes policy variables such as `${!iot:Connection.Thing.ThingName}` inside Fn::Sub).
 * A `${` without a closing brace is literal text.
 */
export function parseSub(text: string): SubPart[] {
  const parts: SubPart[] = [];
  let literal = '';
  let position = 0;
  while (position < text.length) {
    const start = text.indexOf('${', position);
    const end = start < 0 ? -1 : text.indexOf('}', start + 2);
    if (start < 0 || end < 0) {
      literal += text.slice(position);
      break;
    }
    literal += text.slice(position, start);
    const inner = text.slice(start + 2, end);
    if (inner.startsWith('!')) {
      literal += `\${${inner.slice(1)}}`;
    } else {
      if (literal !== '') parts.push({ text: literal });
      literal = '';
      parts.push({ variable: inner.trim() });
    }
    position = end + 1;
  }
  if (literal !== '') parts.push({ text: literal });
  return parts;
}
