/**
 * IAM's glob: `*` matches any run of characters (including `/` and `:`), `?` exactly one.
 * Everything else is literal, so regex metacharacters in ARNs (`.`, `+`, `$`) must be escaped.
 */
const compiled = new Map<string, RegExp>();

export function wildcardMatch(pattern: string, value: string, options: { ignoreCase?: boolean } = {}): boolean {
  return toRegExp(pattern, options.ignoreCase === true).test(value);
}

function toRegExp(pattern: string, ignoreCase: boolean): RegExp {
  const cacheKey = `${ignoreCase ? 'i' : 's'}:${pattern}`;
  let regExp = compiled.get(cacheKey);
  if (!regExp) {
    const body = Array.from(pattern, (character) => {
      if (character === '*') return '.*';
      if (character === '?') return '.';
      return character.replace(/[.+^${}()|[\]\\/-]/g, '\\$&');
    }).join('');
    // `s` so that `*` also spans newlines: a value is never split into lines by IAM.
    regExp = new RegExp(`^${body}$`, ignoreCase ? 'is' : 's');
    compiled.set(cacheKey, regExp);
  }
  return regExp;
}

/**
 * ArnEquals / ArnLike: each of the six colon-separated parts is matched on its own (the
 * resource part keeps any further colons), so a wildcard never spans from one part into the next.
 */
export function arnMatch(pattern: string, arn: string): boolean {
  // A pattern with no parts at all (a bare `*`) is matched against the whole value.
  if (!pattern.includes(':')) return wildcardMatch(pattern, arn);
  const patternParts = splitArn(pattern);
  const arnParts = splitArn(arn);
  if (!patternParts || !arnParts) return false;
  return patternParts.every((part, index) => wildcardMatch(part, arnParts[index]));
}

function splitArn(arn: string): string[] | undefined {
  const parts = arn.split(':');
  if (parts.length < 6) return undefined;
  return [...parts.slice(0, 5), parts.slice(5).join(':')];
}
