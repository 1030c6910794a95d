import { IotPolicyContext } from './types';

/**
 * One piece of a policy string once its variables are substituted: plain
 * text (which includes every substituted value and the `${*}`, `${?}`,
 * `${$}` escapes), or one of the two wildcards written literally in the policy.
 */
export type PatternToken =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'anySequence' }
  | { readonly kind: 'anyCharacter' };

/**
 * The value of a policy variable or condition key for this connection, or
 * `undefined` when AWS IoT would have none. Names compare without regard to
 * case, as IAM's condition keys do; an attribute name inside `[...]` keeps its case.
 *
 * Thing variables (developer guide, "Thing policy variables") resolve only when
 * the client id names a thing this certificate is attached to: "If the device
 * certificate is not associated with the thing, this variable won't be resolved".
 * `iot:Connection.Thing.IsAttached` itself is always `true` or `false`.
 */
export function contextValue(name: string, context: IotPolicyContext): string | undefined {
  const lower = name.toLowerCase();
  switch (lower) {
    case 'iot:clientid': return context.clientId;
    case 'iot:certificateid': return context.certificateId;
    case 'iot:connection.thing.isattached': return context.isAttached ? 'true' : 'false';
    default: break;
  }
  const thingResolves = context.isAttached && context.thingName !== undefined;
  if (lower === 'iot:connection.thing.thingname') return thingResolves ? context.thingName : undefined;
  if (lower === 'iot:connection.thing.thingtypename') return thingResolves ? context.thingTypeName : undefined;
  const attribute = /^iot:connection\.thing\.attributes\[(.+)\]$/i.exec(name);
  if (attribute) return thingResolves ? ownValue(context.thingAttributes, attribute[1]) : undefined;
  const certificateField = /^iot:certificate\.(subject|issuer)\.([a-z]+)$/i.exec(name);
  if (certificateField) {
    const fields = certificateField[1].toLowerCase() === 'subject' ? context.certificateSubject : context.certificateIssuer;
    return ownValueIgnoringCase(fields, certificateField[2]);
  }
  // Unknown variables (and forms this stand-in does not model, such as
  // `.List`, indexed values like `Country.1`, alternative names) resolve to nothing.
  return undefined;
}

/**
 * Splits a policy string into tokens, substituting `${...}` variables when
 * `substitute` is set (policy language version 2012-10-17). Returns
 * `undefined` when a variable has no value: per the IAM user guide ("Policy
 * variables with no value") such an entry matches nothing.
 *
 * Substituted values are plain text, never wildcards: a client id `*` matches
 * only a literal `*`. That is why `${*}`, `${?}` and `${$}` exist.
 */
export function expandPolicyString(raw: string, context: IotPolicyContext, substitute: boolean): PatternToken[] | undefined {
  const tokens: PatternToken[] = [];
  let text = '';
  const flush = () => {
    if (text !== '') tokens.push({ kind: 'text', text });
    text = '';
  };
  let i = 0;
  while (i < raw.length) {
    const ch = raw[i];
    if (substitute && ch === '$' && raw[i + 1] === '{') {
      const end = raw.indexOf('}', i + 2);
      if (end >= 0) {
        const value = variableValue(raw.slice(i + 2, end), context);
        if (value === undefined) return undefined;
        text += value;
        i = end + 1;
        continue;
      }
    }
    if (ch === '*' || ch === '?') {
      flush();
      tokens.push({ kind: ch === '*' ? 'anySequence' : 'anyCharacter' });
    } else {
      text += ch;
    }
    i += 1;
  }
  flush();
  return tokens;
}

/** The tokens read as plain text, wildcards included as their characters (for exact-match operators). */
export function tokensAsText(tokens: readonly PatternToken[]): string {
  return tokens.map((token) => token.kind === 'text' ? token.text : token.kind === 'anySequence' ? '*' : '?').join('');
}

function variableValue(name: string, context: IotPolicyContext): string | undefined {
  switch (name) {
    case '*': return '*';
    case '?': return '?';
    case '$': return '$';
    default: return contextValue(name, context);
  }
}

function ownValue(record: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  return record !== undefined && Object.prototype.hasOwnProperty.call(record, key) ? record[key] : undefined;
}

function ownValueIgnoringCase(record: Readonly<Record<string, string>> | undefined, key: string): string | undefined {
  if (record === undefined) return undefined;
  const found = Object.keys(record).find((candidate) => candidate.toLowerCase() === key.toLowerCase());
  return found === undefined ? undefined : record[found];
}
