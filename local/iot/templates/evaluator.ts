import { TemplateError, unresolvedReference } from './errors';
import { isPlainObject, NO_VALUE_REF, parseCall, parseSub } from './functions';
import type { TemplateModel } from './model';

/** Marks a value removed by `{"Ref": "AWS::NoValue"}`. */
export const NO_VALUE: unique symbol = Symbol(NO_VALUE_REF);

/** What a template expression evaluates to. */
export type Value = string | readonly Value[] | { readonly [key: string]: Value } | typeof NO_VALUE;

/**
 * Evaluates template expressions against one set of parameter values. Conditions are evaluated
 * once each, on first use.
 */
export class Evaluator {
  private readonly conditionResults = new Map<string, boolean>();
  private readonly conditionsInProgress = new Set<string>();

  /** `values`: every parameter that has a value (supplied, or its declared Default). */
  constructor(private readonly model: TemplateModel, private readonly values: ReadonlyMap<string, string>) {}

  /** Evaluates any expression; literal numbers and booleans become strings, as in CloudFormation. */
  public value(node: unknown, where: string): Value {
    if (typeof node === 'string') return node;
    if (typeof node === 'number' || typeof node === 'boolean') return String(node);
    if (Array.isArray(node)) {
      return node.map((item, index) => this.value(item, `${where}[${index}]`)).filter(item => item !== NO_VALUE);
    }
    if (!isPlainObject(node)) throw new TemplateError(`${where}: null is not a valid value`);
    const call = parseCall(node, where, 'value');
    if (call === undefined) {
      const entries = Object.entries(node)
        .map(([key, value]) => [key, this.value(value, `${where}.${key}`)] as const)
        .filter(([, value]) => value !== NO_VALUE);
      return Object.fromEntries(entries);
    }
    const inner = `${where}.${call.fn}`;
    switch (call.fn) {
      case 'Ref':
        return call.name === NO_VALUE_REF ? NO_VALUE : this.reference(call.name);
      case 'Fn::Join':
        return this.stringList(call.list, `${inner}[1]`).join(call.delimiter);
      case 'Fn::Split':
        return this.requiredString(call.source, `${inner}[1]`).split(call.delimiter);
      case 'Fn::Select':
        return this.select(call.index, call.list, inner);
      case 'Fn::FindInMap':
        return this.findInMap(call.map, call.topKey, call.secondKey, inner);
      case 'Fn::Sub':
        return this.substitute(call.text, call.variables, inner);
      case 'Fn::If': {
        const holds = this.condition(call.condition, inner);
        return this.value(holds ? call.whenTrue : call.whenFalse, `${inner}[${holds ? 1 : 2}]`);
      }
    }
  }

  /** A string, or undefined when the property is absent or the expression is `AWS::NoValue`. */
  public optionalString(node: unknown, where: string): string | undefined {
    if (node === undefined) return undefined;
    const value = this.value(node, where);
    if (value === NO_VALUE) return undefined;
    if (typeof value !== 'string') throw new TemplateError(`${where} must be a string`);
    return value;
  }

  public requiredString(node: unknown, where: string): string {
    const value = this.optionalString(node, where);
    if (value === undefined) throw new TemplateError(`${where} must be a string`);
    return value;
  }

  /** A list of strings (`AWS::NoValue` elements dropped); `AWS::NoValue` for the whole list gives []. */
  public stringList(node: unknown, where: string): string[] {
    const value = this.value(node, where);
    if (value === NO_VALUE) return [];
    if (!Array.isArray(value) || !value.every((item: Value) => typeof item === 'string')) {
      throw new TemplateError(`${where} must be a list of strings`);
    }
    return value as string[];
  }

  /** A flat map of strings (nested objects and lists refused); `AWS::NoValue` entries are dropped. */
  public stringMap(node: unknown, where: string, nestedMessage: string): Record<string, string> {
    const value = this.value(node, where);
    if (value === NO_VALUE) return {};
    if (typeof value === 'string' || Array.isArray(value)) throw new TemplateError(`${where} must be an object of names and values`);
    for (const [key, entry] of Object.entries(value as Record<string, Value>)) {
      if (typeof entry !== 'string') throw new TemplateError(`${where}.${key}: ${nestedMessage}`);
    }
    return value as Record<string, string>;
  }

  /** The value of a declared condition. */
  public condition(name: string, where: string): boolean {
    const known = this.conditionResults.get(name);
    if (known !== undefined) return known;
    if (!Object.hasOwn(this.model.conditions, name)) {
      throw new TemplateError(`${where}: condition ${name} is not declared in the Conditions section`);
    }
    if (this.conditionsInProgress.has(name)) throw new TemplateError(`Conditions.${name} depends on itself`);
    this.conditionsInProgress.add(name);
    const result = this.conditionExpression(this.model.conditions[name], `Conditions.${name}`);
    this.conditionsInProgress.delete(name);
    this.conditionResults.set(name, result);
    return result;
  }

  private conditionExpression(node: unknown, where: string): boolean {
    const call = parseCall(node, where, 'condition');
    if (call === undefined) {
      throw new TemplateError(`${where}: a condition must be Fn::Equals, Fn::Not, Fn::And, Fn::Or or {"Condition": name}`);
    }
    const inner = `${where}.${call.fn}`;
    switch (call.fn) {
      case 'Condition':
        return this.condition(call.name, where);
      case 'Fn::Equals':
        return sameValue(this.value(call.left, `${inner}[0]`), this.value(call.right, `${inner}[1]`));
      case 'Fn::Not':
        return !this.conditionExpression(call.operand, `${inner}[0]`);
      case 'Fn::And':
        return call.operands.every((operand, index) => this.conditionExpression(operand, `${inner}[${index}]`));
      case 'Fn::Or':
        return call.operands.some((operand, index) => this.conditionExpression(operand, `${inner}[${index}]`));
    }
  }

  private reference(name: string, hint = ''): string {
    const value = this.values.get(name);
    if (value === undefined) throw unresolvedReference(name, hint);
    return value;
  }

  private select(indexNode: unknown, listNode: unknown, where: string): Value {
    const index = this.requiredString(indexNode, `${where}[0]`);
    const value = this.value(listNode, `${where}[1]`);
    if (!Array.isArray(value)) throw new TemplateError(`${where}[1] must be a list`);
    const list = value as readonly Value[];
    if (!/^\d+$/.test(index) || Number(index) >= list.length) {
      throw new TemplateError(`${where}: index ${index} is out of bounds for a list of ${list.length}`, 'parameters');
    }
    return list[Number(index)];
  }

  private findInMap(mapNode: unknown, topNode: unknown, secondNode: unknown, where: string): Value {
    const map = this.requiredString(mapNode, `${where}[0]`);
    const topKey = this.requiredString(topNode, `${where}[1]`);
    const secondKey = this.requiredString(secondNode, `${where}[2]`);
    const mapping = Object.hasOwn(this.model.mappings, map) ? this.model.mappings[map] : undefined;
    const values = mapping !== undefined && Object.hasOwn(mapping, topKey) ? mapping[topKey] : undefined;
    if (values === undefined || !Object.hasOwn(values, secondKey)) {
      throw new TemplateError(`${where}: Unable to get mapping for ${map}::${topKey}::${secondKey}`, 'parameters');
    }
    return values[secondKey];
  }

  private substitute(text: string, variables: Readonly<Record<string, unknown>>, where: string): string {
    return parseSub(text).map(part => {
      if ('text' in part) return part.text;
      if (Object.hasOwn(variables, part.variable)) return this.requiredString(variables[part.variable], `${where}[1].${part.variable}`);
      return this.reference(part.variable, ` (in Fn::Sub; write \${!${part.variable}} for the literal text \${${part.variable}})`);
    }).join('');
  }
}

function sameValue(left: Value, right: Value): boolean {
  if (left === NO_VALUE || right === NO_VALUE) return left === right;
  return JSON.stringify(left) === JSON.stringify(right);
}
