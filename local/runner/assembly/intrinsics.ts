/**
 * Resolves CloudFormation intrinsic functions in a template value, the way
 * CloudFormation would at deploy time, given the physical names and
 * attributes of the local resources (context.ref / context.getAtt).
 */

export interface ResolutionContext {
  readonly accountId: string;
  readonly region: string;
  /** @default 'aws' */
  readonly partition?: string;
  readonly stackName: string;
  /** What `AWS::StackId` answers. @default `arn:<partition>:cloudformation:<region>:<account>:stack/<stackName>/local` */
  readonly stackId?: string;
  /** @default 'amazonaws.com' ('amazonaws.com.cn' in the aws-cn partition) */
  readonly urlSuffix?: string;
  /** The template's Conditions section, for Fn::If. */
  readonly conditions?: Record<string, unknown>;
  /** The template's Mappings section, for Fn::FindInMap. */
  readonly mappings?: Record<string, Record<string, Record<string, unknown>>>;
  /** Physical id of a resource (or value of a parameter); undefined when unknown. */
  ref(logicalId: string): string | undefined;
  /** An attribute of a resource; undefined when unknown. */
  getAtt(logicalId: string, attribute: string): string | undefined;
}

/** A value that cannot be resolved locally; `path` says where in the value it sits. */
export class UnresolvableError extends Error {
  constructor(readonly path: string, readonly reason: string) {
    super(`cannot resolve ${path}: ${reason}`);
    this.name = 'UnresolvableError';
  }
}

const NO_VALUE = Symbol('AWS::NoValue');
type Resolved = unknown;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function intrinsicName(value: unknown): string | undefined {
  if (!isRecord(value)) {
    return undefined;
  }
  const keys = Object.keys(value);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0].startsWith('Fn::')) ? keys[0] : undefined;
}

function describe(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

class Resolver {
  private readonly conditionValues = new Map<string, boolean>();
  private readonly evaluating = new Set<string>();

  constructor(private readonly context: ResolutionContext) {}

  resolve(value: unknown, path: string): Resolved {
    if (Array.isArray(value)) {
      return value.map((item, index) => this.resolve(item, `${path}[${index}]`)).filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) {
      return value;
    }
    const fn = intrinsicName(value);
    if (fn) {
      return this.intrinsic(fn, value[fn], `${path}.${fn}`);
    }
    const result: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      const resolved = this.resolve(item, `${path}.${key}`);
      if (resolved !== NO_VALUE) {
        result[key] = resolved;
      }
    }
    return result;
  }

  private intrinsic(fn: string, arg: unknown, path: string): Resolved {
    switch (fn) {
      case 'Ref': return this.ref(this.string(arg, path), path);
      case 'Fn::GetAtt': return this.getAtt(arg, path);
      case 'Fn::Join': return this.join(arg, path);
      case 'Fn::Sub': return this.sub(arg, path);
      case 'Fn::Select': return this.select(arg, path);
      case 'Fn::Split': return this.split(arg, path);
      case 'Fn::If': return this.if(arg, path);
      case 'Fn::Equals':
      case 'Fn::Not':
      case 'Fn::And':
      case 'Fn::Or':
        return this.condition({ [fn]: arg }, path.slice(0, -fn.length - 1));
      case 'Fn::Base64': return Buffer.from(this.string(this.resolve(arg, path), path)).toString('base64');
      case 'Fn::FindInMap': return this.findInMap(arg, path);
      case 'Fn::ImportValue': {
        let exportName: string;
        try {
          exportName = describe(this.resolve(arg, path));
        } catch {
          exportName = describe(arg);
        }
        throw new UnresolvableError(path, `Fn::ImportValue of export ${exportName}: cross-stack imports are not supported locally`);
      }
      default:
        throw new UnresolvableError(path, `unsupported intrinsic function ${fn}`);
    }
  }

  private pseudo(name: string): string | typeof NO_VALUE | string[] | undefined {
    const partition = this.context.partition ?? 'aws';
    switch (name) {
      case 'AWS::AccountId': return this.context.accountId;
      case 'AWS::Region': return this.context.region;
      case 'AWS::Partition': return partition;
      case 'AWS::StackName': return this.context.stackName;
      case 'AWS::URLSuffix': return this.context.urlSuffix ?? (partition === 'aws-cn' ? 'amazonaws.com.cn' : 'amazonaws.com');
      case 'AWS::StackId': return this.context.stackId ?? `arn:${partition}:cloudformation:${this.context.region}:${this.context.accountId}:stack/${this.context.stackName}/local`;
      case 'AWS::NotificationARNs': return [];
      case 'AWS::NoValue': return NO_VALUE;
      default: return undefined;
    }
  }

  private ref(name: string, path: string): Resolved {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) {
      return pseudo;
    }
    if (name.startsWith('AWS::')) {
      throw new UnresolvableError(path, `unknown pseudo parameter ${name}`);
    }
    const physical = this.context.ref(name);
    if (physical === undefined) {
      throw new UnresolvableError(path, `Ref to ${name}, which has no local value`);
    }
    return physical;
  }

  private attribute(logicalId: string, attribute: string, path: string): string {
    const value = this.context.getAtt(logicalId, attribute);
    if (value === undefined) {
      throw new UnresolvableError(path, `Fn::GetAtt ${logicalId}.${attribute}, which has no local value`);
    }
    return value;
  }

  private getAtt(arg: unknown, path: string): Resolved {
    if (typeof arg === 'string') {
      const dot = arg.indexOf('.');
      if (dot <= 0 || dot === arg.length - 1) {
        throw new UnresolvableError(path, `malformed Fn::GetAtt ${describe(arg)}`);
      }
      return this.attribute(arg.slice(0, dot), arg.slice(dot + 1), path);
    }
    const [logicalId, attribute] = this.list(arg, 2, path, 'Fn::GetAtt');
    return this.attribute(this.string(logicalId, `${path}[0]`), this.string(this.resolve(attribute, `${path}[1]`), `${path}[1]`), path);
  }

  private join(arg: unknown, path: string): string {
    const [delimiter, items] = this.list(arg, 2, path, 'Fn::Join');
    const values = this.resolve(items, `${path}[1]`);
    if (!Array.isArray(values)) {
      throw new UnresolvableError(`${path}[1]`, `Fn::Join needs a list, got ${describe(values)}`);
    }
    return values.map((item, index) => this.string(item, `${path}[1][${index}]`)).join(this.string(delimiter, `${path}[0]`));
  }

  private sub(arg: unknown, path: string): string {
    let template: unknown = arg;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(arg)) {
      const [text, map] = this.list(arg, 2, path, 'Fn::Sub');
      if (!isRecord(map)) {
        throw new UnresolvableError(`${path}[1]`, 'Fn::Sub variables must be a map');
      }
      template = text;
      variables = map;
    }
    const text = this.string(template, Array.isArray(arg) ? `${path}[0]` : path);
    return text.replace(/\$\{([^}]*)\}/g, (_match, expression: string) => {
      if (expression.startsWith('!')) {
        return `\${${expression.slice(1)}}`;
      }
      const name = expression.trim();
      if (Object.prototype.hasOwnProperty.call(variables, name)) {
        return this.string(this.resolve(variables[name], `${path}[1].${name}`), `${path}[1].${name}`);
      }
      const where = `${path}(\${${name}})`;
      const dot = name.indexOf('.');
      if (dot > 0 && !name.startsWith('AWS::')) {
        return this.attribute(name.slice(0, dot), name.slice(dot + 1), where);
      }
      return this.string(this.ref(name, where), where);
    });
  }

  private select(arg: unknown, path: string): Resolved {
    const [indexArg, listArg] = this.list(arg, 2, path, 'Fn::Select');
    const index = Number(this.resolve(indexArg, `${path}[0]`));
    const list = this.resolve(listArg, `${path}[1]`);
    if (!Array.isArray(list)) {
      throw new UnresolvableError(`${path}[1]`, `Fn::Select needs a list, got ${describe(list)}`);
    }
    if (!Number.isInteger(index) || index < 0 || index >= list.length) {
      throw new UnresolvableError(`${path}[0]`, `Fn::Select index ${describe(indexArg)} is out of range for a list of ${list.length}`);
    }
    return list[index];
  }

  private split(arg: unknown, path: string): string[] {
    const [delimiter, source] = this.list(arg, 2, path, 'Fn::Split');
    return this.string(this.resolve(source, `${path}[1]`), `${path}[1]`).split(this.string(delimiter, `${path}[0]`));
  }

  private if(arg: unknown, path: string): Resolved {
    const [name, whenTrue, whenFalse] = this.list(arg, 3, path, 'Fn::If');
    return this.namedCondition(this.string(name, `${path}[0]`), `${path}[0]`)
      ? this.resolve(whenTrue, `${path}[1]`)
      : this.resolve(whenFalse, `${path}[2]`);
  }

  private findInMap(arg: unknown, path: string): Resolved {
    const [map, top, second] = this.list(arg, 3, path, 'Fn::FindInMap')
      .map((item, index) => this.string(this.resolve(item, `${path}[${index}]`), `${path}[${index}]`));
    const value = this.context.mappings?.[map]?.[top]?.[second];
    if (value === undefined) {
      throw new UnresolvableError(path, `mapping ${map}.${top}.${second} is not defined`);
    }
    return value;
  }

  namedCondition(name: string, path: string): boolean {
    const known = this.conditionValues.get(name);
    if (known !== undefined) {
      return known;
    }
    const expression = this.context.conditions?.[name];
    if (expression === undefined) {
      throw new UnresolvableError(path, `condition ${name} is not defined in the template's Conditions`);
    }
    if (this.evaluating.has(name)) {
      throw new UnresolvableError(path, `condition ${name} refers to itself`);
    }
    this.evaluating.add(name);
    try {
      const value = this.condition(expression, `Conditions.${name}`);
      this.conditionValues.set(name, value);
      return value;
    } finally {
      this.evaluating.delete(name);
    }
  }

  private condition(expression: unknown, path: string): boolean {
    if (isRecord(expression) && Object.keys(expression).length === 1 && typeof expression.Condition === 'string') {
      return this.namedCondition(expression.Condition, `${path}.Condition`);
    }
    const fn = intrinsicName(expression);
    const arg = fn ? (expression as Record<string, unknown>)[fn] : undefined;
    const where = `${path}.${fn}`;
    switch (fn) {
      case 'Fn::Equals': {
        const [left, right] = this.list(arg, 2, where, fn).map((item, index) => this.resolve(item, `${where}[${index}]`));
        return describe(typeof left === 'number' ? String(left) : left) === describe(typeof right === 'number' ? String(right) : right);
      }
      case 'Fn::Not': return !this.condition(this.list(arg, 1, where, fn)[0], `${where}[0]`);
      case 'Fn::And': return this.operands(arg, where, fn).every((item, index) => this.condition(item, `${where}[${index}]`));
      case 'Fn::Or': return this.operands(arg, where, fn).some((item, index) => this.condition(item, `${where}[${index}]`));
      default: {
        const value = this.resolve(expression, path);
        if (typeof value === 'boolean' || value === 'true' || value === 'false') {
          return value === true || value === 'true';
        }
        throw new UnresolvableError(path, `not a condition: ${describe(expression)}`);
      }
    }
  }

  private operands(arg: unknown, path: string, fn: string): unknown[] {
    if (!Array.isArray(arg) || arg.length < 2) {
      throw new UnresolvableError(path, `${fn} needs a list of at least 2 conditions`);
    }
    return arg;
  }

  private list(arg: unknown, length: number, path: string, fn: string): unknown[] {
    if (!Array.isArray(arg) || arg.length !== length) {
      throw new UnresolvableError(path, `${fn} needs a list of ${length}, got ${describe(arg)}`);
    }
    return arg;
  }

  private string(value: unknown, path: string): string {
    if (typeof value === 'string') {
      return value;
    }
    if (typeof value === 'number' || typeof value === 'boolean') {
      return String(value);
    }
    throw new UnresolvableError(path, `expected a string, got ${describe(value)}`);
  }
}

/**
 * Resolves every intrinsic function in `value` (deeply). `{ Ref: 'AWS::NoValue' }`
 * removes the property or list item that holds it (undefined at the top).
 * Throws UnresolvableError naming the path (rooted at `path`) of anything it
 * cannot resolve: Fn::ImportValue, unknown functions, unknown references.
 */
export function resolveValue(value: unknown, context: ResolutionContext, path = '$'): unknown {
  const resolved = new Resolver(context).resolve(value, path);
  return resolved === NO_VALUE ? undefined : resolved;
}

/** Whether the template condition `name` (a resource's Condition) holds. */
export function isConditionTrue(name: string, context: ResolutionContext): boolean {
  return new Resolver(context).namedCondition(name, `Conditions.${name}`);
}
