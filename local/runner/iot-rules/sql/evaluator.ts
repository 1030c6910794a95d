import { randomUUID } from 'node:crypto';
import type { Expression, IotSqlStatement } from './ast';
import { asBoolean, compare } from './values';

/** What the SQL sees of a message: its payload and the metadata the functions read. */
export interface SqlMessage {
  readonly topic: string;
  readonly payload: Buffer;
  /** The publishing client; AWS answers clientid() with `n/a` when there is none (messages IoT publishes itself). */
  readonly clientId?: string;
  /** The authenticated identity (certificate id, ...), when the caller knows it. */
  readonly principal?: string;
  /** Milliseconds since the epoch at which the rules engine took the message. */
  readonly timestamp: number;
}

/** The outgoing payload: JSON, or the message's own bytes for `SELECT *` on a payload that is not JSON. */
export type SelectResult =
  | { readonly kind: 'json'; readonly value: unknown }
  | { readonly kind: 'binary'; readonly payload: Buffer };

/** Raised when a statement cannot produce an output for this message (the rule does not act on it). */
export class IotSqlEvaluationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IotSqlEvaluationError';
  }
}

/** Evaluates the statement on a message already matched by its FROM filter; undefined when WHERE is not true. */
export function evaluateIotSql(statement: IotSqlStatement, message: SqlMessage): SelectResult | undefined {
  const scope = new Scope(message);
  if (statement.where && scope.evaluate(statement.where) !== true) return undefined;
  const [first] = statement.select;
  if (statement.select.length === 1 && first.kind === 'all') {
    return scope.isJson ? { kind: 'json', value: scope.document } : { kind: 'binary', payload: message.payload };
  }
  const output: Record<string, unknown> = {};
  for (const item of statement.select) {
    if (item.kind === 'all') {
      if (!isObject(scope.document)) {
        throw new IotSqlEvaluationError('SELECT * with other items needs a payload that is a JSON object');
      }
      Object.assign(output, scope.document);
    } else {
      const value = scope.evaluate(item.expression);
      // 2016-03-23: an Undefined result leaves its key out of the output.
      if (value !== undefined) output[item.name] = value;
    }
  }
  return { kind: 'json', value: output };
}

/** One expression against a message (its payload and metadata), as substitution templates are evaluated. */
export function evaluateIotSqlExpression(expression: Expression, message: SqlMessage): unknown {
  return new Scope(message).evaluate(expression);
}

class Scope {
  readonly isJson: boolean;
  readonly document: unknown;

  constructor(private readonly message: SqlMessage) {
    let document: unknown;
    try {
      document = JSON.parse(message.payload.toString('utf8'));
    } catch {
      document = undefined;
    }
    this.isJson = document !== undefined;
    this.document = document;
  }

  evaluate(expression: Expression): unknown {
    switch (expression.kind) {
      case 'literal': return expression.value;
      case 'path': return this.field(expression.segments);
      case 'call': return this.call(expression.name, expression.argument);
      case 'compare': return compare(expression.operator, this.evaluate(expression.left), this.evaluate(expression.right));
      case 'and':
      case 'or': {
        const left = asBoolean(this.evaluate(expression.left));
        const right = asBoolean(this.evaluate(expression.right));
        if (left === undefined || right === undefined) return undefined;
        return expression.kind === 'and' ? left && right : left || right;
      }
      case 'not': {
        const operand = asBoolean(this.evaluate(expression.operand));
        return operand === undefined ? undefined : !operand;
      }
      case 'isNull': {
        const value = this.evaluate(expression.operand);
        // Undefined is neither NULL nor NOT NULL: a missing field matches neither test.
        if (value === undefined) return false;
        return expression.negated ? value !== null : value === null;
      }
    }
  }

  private field(segments: readonly string[]): unknown {
    let current: unknown = this.document;
    for (const segment of segments) {
      if (!isObject(current) || !Object.prototype.hasOwnProperty.call(current, segment)) return undefined;
      current = current[segment];
    }
    return current;
  }

  private call(name: string, argument?: number): unknown {
    switch (name) {
      case 'topic': return argument === undefined ? this.message.topic : this.message.topic.split('/')[argument - 1];
      case 'clientid': return this.message.clientId ?? 'n/a';
      case 'timestamp': return this.message.timestamp;
      case 'principal': return this.message.principal;
      case 'newuuid': return randomUUID();
      default: return undefined;
    }
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
