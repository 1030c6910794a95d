/**
 * AWS IoT substitution templates: `${expression}` inside an action's string parameter (an S3 key such as
 * `${topic()}/${timestamp()}-${newuuid()}.json`), each expression an IoT SQL expression evaluated against the
 * incoming message, so the same functions and payload fields the SQL has are available.
 */
import { evaluateIotSqlExpression, IotSqlError, parseIotSqlExpression, type Expression, type SqlMessage } from './sql';

export type TemplatePart =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'expression'; readonly expression: Expression; readonly source: string };

/** Throws IotSqlError for an unterminated `${` or an expression outside the modelled SQL subset. */
export function parseSubstitutionTemplate(template: string): TemplatePart[] {
  const parts: TemplatePart[] = [];
  let rest = template;
  for (let start = rest.indexOf('${'); start >= 0; start = rest.indexOf('${')) {
    if (start > 0) parts.push({ kind: 'text', text: rest.slice(0, start) });
    const end = rest.indexOf('}', start + 2);
    if (end < 0) throw new IotSqlError(`the substitution template ${template} has a \${ without its closing }`);
    const source = rest.slice(start + 2, end);
    parts.push({ kind: 'expression', expression: parseIotSqlExpression(source), source });
    rest = rest.slice(end + 1);
  }
  if (rest.length > 0) parts.push({ kind: 'text', text: rest });
  return parts;
}

/** Strings as they are, numbers and booleans as text, objects as JSON, an Undefined result as nothing. */
export function renderSubstitutionTemplate(parts: readonly TemplatePart[], message: SqlMessage): string {
  return parts.map((part) => {
    if (part.kind === 'text') return part.text;
    const value = evaluateIotSqlExpression(part.expression, message);
    if (value === undefined || value === null) return '';
    return typeof value === 'string' ? value : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }).join('');
}
