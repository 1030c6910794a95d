import type { ComparisonOperator, Expression, IotSqlStatement, MetadataFunction, SelectItem } from './ast';
import { IotSqlError, unsupportedConstruct } from './errors';
import { Token, tokenize } from './tokenizer';

/** Words with a meaning in the subset; they cannot name a field unquoted. */
const RESERVED = new Set(['SELECT', 'FROM', 'WHERE', 'AS', 'AND', 'OR', 'NOT', 'IS', 'NULL', 'TRUE', 'FALSE']);

/** IoT SQL keywords outside the subset: met anywhere, they make the rule unsupported rather than misread. */
const UNSUPPORTED_KEYWORDS = new Set([
  'CASE', 'WHEN', 'THEN', 'ELSE', 'END', 'LIKE', 'IN', 'BETWEEN', 'VALUE', 'SET', 'ORDER', 'GROUP', 'LIMIT',
  'JOIN', 'DISTINCT', 'UNION', 'HAVING', 'UNDEFINED', 'EXISTS',
]);

const FUNCTIONS: readonly MetadataFunction[] = ['topic', 'clientid', 'timestamp', 'principal', 'newuuid'];

const COMPARISONS: Readonly<Record<string, ComparisonOperator>> = {
  '=': '=', '<>': '<>', '!=': '<>', '<': '<', '<=': '<=', '>': '>', '>=': '>=',
};

/**
 * Parses `SELECT <* | expr [AS name], ...> FROM '<topic filter>' [WHERE <condition>]` (AWS IoT SQL
 * 2016-03-23, the subset our constructs and simple user rules use). Throws IotSqlError naming any
 * construct outside it.
 */
export function parseIotSql(sql: string): IotSqlStatement {
  return new Parser(sql, tokenize(sql)).statement();
}

/** One expression on its own, as a substitution template's `${...}` holds it (e.g. `topic(2)`, `newuuid()`, `device.id`). */
export function parseIotSqlExpression(text: string): Expression {
  return new Parser(text, tokenize(text)).standaloneExpression();
}

class Parser {
  private index = 0;

  constructor(private readonly sql: string, private readonly tokens: readonly Token[]) {}

  statement(): IotSqlStatement {
    this.rejectUnsupportedWord();
    this.expectKeyword('SELECT');
    const select = [this.selectItem()];
    while (this.acceptSymbol(',')) select.push(this.selectItem());
    this.expectKeyword('FROM');
    const from = this.topicFilter();
    const where = this.acceptKeyword('WHERE') ? this.expression() : undefined;
    const trailing = this.peek();
    if (trailing.type !== 'end') {
      this.rejectUnsupportedWord();
      throw this.unexpected('the end of the statement');
    }
    return { sql: this.sql, select, from, where };
  }

  standaloneExpression(): Expression {
    const expression = this.expression();
    if (this.peek().type !== 'end') {
      this.rejectUnsupportedWord();
      throw this.unexpected('the end of the expression');
    }
    return expression;
  }

  private selectItem(): SelectItem {
    if (this.acceptSymbol('*')) return { kind: 'all' };
    const start = this.peek();
    const expression = this.expression();
    if (this.acceptKeyword('AS')) return { kind: 'expression', expression, name: this.identifier() };
    // A field keeps its last path segment as its name, as AWS names `SELECT color.red` "red".
    if (expression.kind === 'path') return { kind: 'expression', expression, name: expression.segments[expression.segments.length - 1] };
    throw new IotSqlError(
      `the local rule engine needs AS <name> after a SELECT expression that is not a field (${this.sql.slice(start.position, this.peek().position).trim()})`,
      'unnamed SELECT expression', start.position);
  }

  private topicFilter(): string {
    const token = this.peek();
    if (token.type !== 'string') throw this.unexpected("a quoted topic filter after FROM, e.g. FROM 'devices/+/telemetry'");
    this.index += 1;
    const levels = token.text.split('/');
    const misplacedWildcard = levels.some((level, position) => (level.includes('#') && (level !== '#' || position !== levels.length - 1))
      || (level.includes('+') && level !== '+'));
    if (token.text === '' || misplacedWildcard) throw new IotSqlError(`invalid topic filter '${token.text}'`, undefined, token.position);
    return token.text;
  }

  private expression(): Expression {
    let left = this.conjunction();
    while (this.acceptKeyword('OR')) left = { kind: 'or', left, right: this.conjunction() };
    return left;
  }

  private conjunction(): Expression {
    let left = this.negation();
    while (this.acceptKeyword('AND')) left = { kind: 'and', left, right: this.negation() };
    return left;
  }

  private negation(): Expression {
    if (this.acceptKeyword('NOT')) return { kind: 'not', operand: this.negation() };
    return this.comparison();
  }

  private comparison(): Expression {
    const left = this.operand();
    if (this.acceptKeyword('IS')) {
      const negated = this.acceptKeyword('NOT');
      this.rejectUnsupportedWord();
      this.expectKeyword('NULL');
      return { kind: 'isNull', negated, operand: left };
    }
    const token = this.peek();
    const operator = token.type === 'symbol' ? COMPARISONS[token.text] : undefined;
    if (!operator) return left;
    this.index += 1;
    return { kind: 'compare', operator, left, right: this.operand() };
  }

  /** A primary expression; arithmetic and other infix operators after it are named as unsupported. */
  private operand(): Expression {
    const operand = this.primary();
    const next = this.peek();
    if (next.type === 'symbol' && (next.text === '-' || next.text === '*')) {
      throw unsupportedConstruct(`the arithmetic operator ${next.text}`, next.position);
    }
    this.rejectUnsupportedWord();
    return operand;
  }

  private primary(): Expression {
    const token = this.peek();
    if (token.type === 'string') {
      this.index += 1;
      return { kind: 'literal', value: token.text };
    }
    if (token.type === 'number') {
      this.index += 1;
      return { kind: 'literal', value: Number(token.text) };
    }
    if (token.type === 'symbol' && token.text === '-') {
      this.index += 1;
      const number = this.peek();
      if (number.type !== 'number') throw unsupportedConstruct('the arithmetic operator -', token.position);
      this.index += 1;
      return { kind: 'literal', value: -Number(number.text) };
    }
    if (token.type === 'symbol' && token.text === '(') {
      this.index += 1;
      if (this.isKeyword(this.peek(), 'SELECT')) throw unsupportedConstruct('nested SELECT', this.peek().position);
      const inner = this.expression();
      this.expectSymbol(')');
      return inner;
    }
    if (token.type === 'word') return this.wordExpression(token);
    throw this.unexpected('an expression');
  }

  private wordExpression(token: Token): Expression {
    this.rejectUnsupportedWord();
    const upper = token.text.toUpperCase();
    if (upper === 'TRUE' || upper === 'FALSE') {
      this.index += 1;
      return { kind: 'literal', value: upper === 'TRUE' };
    }
    if (upper === 'NULL') throw unsupportedConstruct('the NULL literal', token.position, 'use IS NULL or IS NOT NULL');
    if (RESERVED.has(upper)) throw this.unexpected('an expression');
    this.index += 1;
    if (this.acceptSymbol('(')) return this.call(token);
    const segments = [token.text];
    while (this.acceptSymbol('.')) {
      const next = this.peek();
      if (next.type === 'symbol' && next.text === '*') throw unsupportedConstruct(`${segments.join('.')}.*`, next.position);
      segments.push(this.identifier());
    }
    return { kind: 'path', segments };
  }

  /** A function call; the name token and `(` are consumed. */
  private call(name: Token): Expression {
    const lower = name.text.toLowerCase();
    const fn = FUNCTIONS.find((candidate) => candidate === lower);
    if (!fn) {
      throw unsupportedConstruct(`the function ${name.text}()`, name.position, `supported: ${FUNCTIONS.map((f) => `${f}()`).join(', ')}`);
    }
    if (fn === 'topic' && this.peek().type === 'number') {
      const level = this.peek();
      this.index += 1;
      this.expectSymbol(')');
      const argument = Number(level.text);
      if (!Number.isInteger(argument) || argument < 1) throw new IotSqlError(`topic(${level.text}) needs a level from 1`, undefined, level.position);
      return { kind: 'call', name: fn, argument };
    }
    if (!this.acceptSymbol(')')) {
      throw new IotSqlError(`${fn}() takes ${fn === 'topic' ? 'no argument or a topic level number' : 'no argument'}`, undefined, this.peek().position);
    }
    return { kind: 'call', name: fn };
  }

  private identifier(): string {
    const token = this.peek();
    if (token.type !== 'word' || RESERVED.has(token.text.toUpperCase())) throw this.unexpected('a name');
    this.rejectUnsupportedWord();
    this.index += 1;
    return token.text;
  }

  private rejectUnsupportedWord(): void {
    const token = this.peek();
    if (token.type === 'word' && UNSUPPORTED_KEYWORDS.has(token.text.toUpperCase())) {
      throw unsupportedConstruct(token.text.toUpperCase(), token.position);
    }
  }

  /** The next token; a symbol outside the subset is reported as soon as the parser reaches it. */
  private peek(): Token {
    const token = this.tokens[this.index];
    if (token.type === 'unsupported') throw unsupportedConstruct(token.text, token.position);
    if (token.type === 'invalid') throw new IotSqlError(`unexpected character ${JSON.stringify(token.text)}`, undefined, token.position);
    return token;
  }

  private isKeyword(token: Token, keyword: string): boolean {
    return token.type === 'word' && token.text.toUpperCase() === keyword;
  }

  private acceptKeyword(keyword: string): boolean {
    if (!this.isKeyword(this.peek(), keyword)) return false;
    this.index += 1;
    return true;
  }

  private expectKeyword(keyword: string): void {
    if (!this.acceptKeyword(keyword)) throw this.unexpected(keyword);
  }

  private acceptSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token.type !== 'symbol' || token.text !== symbol) return false;
    this.index += 1;
    return true;
  }

  private expectSymbol(symbol: string): void {
    if (!this.acceptSymbol(symbol)) throw this.unexpected(`'${symbol}'`);
  }

  private unexpected(expected: string): IotSqlError {
    const token = this.peek();
    const found = token.type === 'end' ? 'the end of the statement' : token.type === 'string' ? `'${token.text}'` : token.text;
    return new IotSqlError(`expected ${expected}, found ${found}`, undefined, token.position);
  }
}
