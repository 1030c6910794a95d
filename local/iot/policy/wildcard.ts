import { PatternToken } from './variables';

/**
 * Glob matching as IAM does it for actions and `StringLike`: `*` matches any
 * run of characters (slashes and colons included), `?` exactly one; the rest
 * compares character by character over the whole string.
 */
export function matchesGlob(tokens: readonly PatternToken[], value: string, ignoreCase: boolean): boolean {
  const source = tokens.map((token) => {
    switch (token.kind) {
      case 'anySequence': return '[\\s\\S]*';
      case 'anyCharacter': return '[\\s\\S]';
      default: return escapeRegExp(token.text);
    }
  }).join('');
  return compiled(source, ignoreCase).test(value);
}

/**
 * ARN matching, case-sensitive, as the IAM user guide describes it for the
 * `Resource` element and the `Arn*` condition operators.
 *
 * In the first five colon-separated parts (`arn`, partition, service,
 * Region, account) a wildcard stays inside its part, except that for a
 * resource (`trailingStarCrossesColons`) "If the * wildcard is the last
 * character of a resource ARN segment, it can expand to match beyond the
 * colon boundaries". `Arn*` operators check each part separately, so there it
 * does not. In the resource part (after the fifth colon) `*` and `?` match any
 * character, `/` and `:` included. A `*` that ends the pattern covers the rest,
 * so `"Resource": "*"` matches everything.
 */
export function matchesArn(tokens: readonly PatternToken[], arn: string, trailingStarCrossesColons: boolean): boolean {
  let colons = 0;
  const parts: string[] = [];
  tokens.forEach((token, index) => {
    const inPrefix = colons < 5;
    switch (token.kind) {
      case 'anySequence': {
        const next = tokens[index + 1];
        const endsPattern = next === undefined;
        const endsSegment = next !== undefined && next.kind === 'text' && next.text.startsWith(':');
        const crosses = !inPrefix || endsPattern || (trailingStarCrossesColons && endsSegment);
        parts.push(crosses ? '[\\s\\S]*' : '[^:]*');
        break;
      }
      case 'anyCharacter':
        parts.push(inPrefix ? '[^:]' : '[\\s\\S]');
        break;
      default:
        parts.push(escapeRegExp(token.text));
        for (const ch of token.text) if (ch === ':') colons += 1;
        break;
    }
  });
  return compiled(parts.join(''), false).test(arn);
}

const cache = new Map<string, RegExp>();
const CACHE_LIMIT = 1000;

function compiled(source: string, ignoreCase: boolean): RegExp {
  const key = `${ignoreCase ? 'i' : 's'}${source}`;
  let regExp = cache.get(key);
  if (regExp === undefined) {
    if (cache.size >= CACHE_LIMIT) cache.clear();
    regExp = new RegExp(`^${source}$`, ignoreCase ? 'iu' : 'u');
    cache.set(key, regExp);
  }
  return regExp;
}

function escapeRegExp(text: string): string {
  return text.replace(/[\\^$.*+?()[\]{}|/]/g, '\\$&');
}
