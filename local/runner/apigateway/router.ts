/**
 * Finds the resource and method a request path reaches, as API Gateway does: a literal segment beats a
 * `{param}` segment, which beats a greedy `{proxy+}`; the exact HTTP method beats ANY.
 */
import type { RestApiDefinition, RestApiMethod, RestApiResource } from './rest-api-definition';

export interface RouteMatch {
  readonly resource: RestApiResource;
  readonly method: RestApiMethod;
  /** Path parameters by name, URL-decoded; a greedy parameter holds the rest of the path. */
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** How specific one matched template segment is; compared segment by segment from the left. */
const LITERAL = 2;
const PARAMETER = 1;
const GREEDY = 0;

interface Candidate {
  readonly resource: RestApiResource;
  readonly pathParameters: Record<string, string>;
  readonly ranks: number[];
}

/** `path` is relative to the stage (`/items/42`); undefined when no resource or no method matches. */
export function matchRoute(api: RestApiDefinition, httpMethod: string, path: string): RouteMatch | undefined {
  const segments = splitPath(path);
  const candidates = api.resources
    .map((resource) => matchResource(resource, segments))
    .filter((candidate): candidate is Candidate => candidate !== undefined)
    .sort((a, b) => compareRanks(b.ranks, a.ranks));
  const best = candidates[0];
  if (!best) return undefined;
  // Like API Gateway, the most specific resource wins even if it lacks the method; no fallback to a greedy sibling.
  const methods = api.methods.filter((method) => method.resourceId === best.resource.id);
  const method = methods.find((candidate) => candidate.httpMethod === httpMethod.toUpperCase())
    ?? methods.find((candidate) => candidate.httpMethod === 'ANY');
  return method ? { resource: best.resource, method, pathParameters: best.pathParameters } : undefined;
}

function matchResource(resource: RestApiResource, segments: readonly string[]): Candidate | undefined {
  const template = splitPath(resource.path);
  const pathParameters: Record<string, string> = {};
  const ranks: number[] = [];
  for (let index = 0; index < template.length; index++) {
    const part = template[index];
    const greedy = /^\{(.+)\+\}$/.exec(part);
    if (greedy) {
      // A greedy parameter is the last segment of its resource and takes at least one request segment.
      if (index >= segments.length) return undefined;
      pathParameters[greedy[1]] = segments.slice(index).join('/');
      ranks.push(GREEDY);
      return { resource, pathParameters, ranks };
    }
    if (index >= segments.length) return undefined;
    const parameter = /^\{(.+)\}$/.exec(part);
    if (parameter) {
      pathParameters[parameter[1]] = segments[index];
      ranks.push(PARAMETER);
    } else if (part === segments[index]) {
      ranks.push(LITERAL);
    } else {
      return undefined;
    }
  }
  return template.length === segments.length ? { resource, pathParameters, ranks } : undefined;
}

function compareRanks(a: readonly number[], b: readonly number[]): number {
  for (let index = 0; index < Math.max(a.length, b.length); index++) {
    const difference = (a[index] ?? -1) - (b[index] ?? -1);
    if (difference !== 0) return difference;
  }
  return 0;
}

/** Non-empty segments, URL-decoded (a malformed escape stays as sent). */
export function splitPath(path: string): string[] {
  return path.split('/').filter((segment) => segment !== '').map((segment) => {
    try {
      return decodeURIComponent(segment);
    } catch {
      return segment;
    }
  });
}
