import { IotSqlError } from './errors';

/**
 * `unsupported` (a symbol of the full IoT SQL outside the subset) and `invalid` (a character IoT SQL
 * does not have) are errors the parser raises when it reaches them, so the first fault in reading
 * order is the one reported (`SET @x` names SET, `FROM a/b` asks for a quoted filter).
 */
export type TokenType = 'word' | 'string' | 'number' | 'symbol' | 'unsupported' | 'invalid' | 'end';

export interface Token {
  readonly type: TokenType;
  /** The token as written (a string literal's text without quotes and escapes; what an unsupported symbol is). */
  readonly text: string;
  readonly position: number;
}

/** Symbols the parser understands, longest first so `<=` wins over `<`. */
const SYMBOLS = ['<>', '!=', '<=', '>=', '=', '<', '>', '*', ',', '.', '(', ')', '-'];

/** Symbols of the full IoT SQL the local engine does not model, named in the error. */
const UNSUPPORTED_SYMBOLS: Readonly<Record<string, string>> = {
  '+': 'the arithmetic operator +',
  '/': 'the arithmetic operator /',
  '%': 'the arithmetic operator %',
  '[': 'array indexing ([...])',
  '{': 'object literals ({...})',
  '"': 'double-quoted identifiers',
  '`': 'back-quoted identifiers',
  '|': 'the | operator',
  '&': 'the & operator',
  '$': 'substitution templates (${...})',
  '@': 'variables (@name)',
};

const isWordStart = (char: string): boolean => /[A-Za-z_]/.test(char);
const isWordPart = (char: string): boolean => /[A-Za-z0-9_]/.test(char);
const isDigit = (char: string): boolean => char >= '0' && char <= '9';

/** Splits an IoT SQL statement into tokens; keywords stay words, the parser matches them case-insensitively. */
export function tokenize(sql: string): Token[] {
  const tokens: Token[] = [];
  let index = 0;
  while (index < sql.length) {
    const char = sql[index];
    if (/\s/.test(char)) {
      index += 1;
    } else if (char === "'") {
      const { text, end } = readString(sql, index);
      tokens.push({ type: 'string', text, position: index });
      index = end;
    } else if (isDigit(char)) {
      let end = index;
      while (end < sql.length && (isDigit(sql[end]) || sql[end] === '.')) end += 1;
      const text = sql.slice(index, end);
      if (!/^\d+(\.\d+)?$/.test(text)) throw new IotSqlError(`malformed number ${text}`, undefined, index);
      tokens.push({ type: 'number', text, position: index });
      index = end;
    } else if (isWordStart(char)) {
      let end = index;
      while (end < sql.length && isWordPart(sql[end])) end += 1;
      tokens.push({ type: 'word', text: sql.slice(index, end), position: index });
      index = end;
    } else {
      const symbol = SYMBOLS.find((candidate) => sql.startsWith(candidate, index));
      if (symbol) {
        tokens.push({ type: 'symbol', text: symbol, position: index });
        index += symbol.length;
      } else {
        const description = UNSUPPORTED_SYMBOLS[char];
        tokens.push(description ? { type: 'unsupported', text: description, position: index } : { type: 'invalid', text: char, position: index });
        index += 1;
      }
    }
  }
  tokens.push({ type: 'end', text: '', position: sql.length });
  return tokens;
}

/** Reads a single-quoted literal starting at `start`; a backslash escapes the next character. */
function readString(sql: string, start: number): { text: string; end: number } {
  let text = '';
  for (let index = start + 1; index < sql.length; index++) {
    const char = sql[index];
    if (char === '\\' && index + 1 < sql.length) {
      text += sql[index + 1];
      index += 1;
    } else if (char === "'") {
      return { text, end: index + 1 };
    } else {
      text += char;
    }
  }
  throw new IotSqlError('unterminated string literal', undefined, start);
}
