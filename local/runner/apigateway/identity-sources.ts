/**
 * Reads an authorizer's identity sources (`method.request.header.Authorization`,
 * `method.request.querystring.token`, `stageVariables.x`, `context.y`) from the request.
 */
import { headerValue, multiValueQuery, ReceivedRequest } from './http-request';

export interface IdentitySourceInput {
  readonly request: ReceivedRequest;
  readonly stageVariables: Readonly<Record<string, string>>;
  readonly context: Readonly<Record<string, string | undefined>>;
}

/** The value of each comma-separated source, undefined where the request lacks it or it is empty. */
export function identitySourceValues(identitySource: string | undefined, input: IdentitySourceInput): (string | undefined)[] {
  if (!identitySource) return [];
  return identitySource.split(',').map((source) => source.trim()).filter((source) => source !== '').map((source) => {
    const value = identitySourceValue(source, input);
    return value === '' ? undefined : value;
  });
}

function identitySourceValue(source: string, input: IdentitySourceInput): string | undefined {
  const [, kind, name] = /^(method\.request\.(?:multivalue)?header|method\.request\.(?:multivalue)?querystring|stageVariables|context)\.(.+)$/i
    .exec(source) ?? [];
  switch (kind?.toLowerCase()) {
    case 'method.request.header': return headerValue(input.request, name);
    case 'method.request.multivalueheader': return joined(input.request.headers[name.toLowerCase()]);
    case 'method.request.querystring': return multiValueQuery(input.request)[name]?.slice(-1)[0];
    case 'method.request.multivaluequerystring': return joined(multiValueQuery(input.request)[name]);
    case 'stagevariables': return input.stageVariables[name];
    case 'context': return input.context[name];
    default: return undefined;
  }
}

function joined(value: string | readonly string[] | undefined): string | undefined {
  return Array.isArray(value) ? value.join(',') : (value as string | undefined);
}
