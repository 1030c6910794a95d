import * as sdk from '@aws-sdk/client-iot';
import { ROUTES } from '../../../../local/iot/http';

/**
 * The route table is transcribed from the SDK's http traits; this checks the transcription against
 * the operation schemas `@aws-sdk/client-iot` exports (`<Operation>$`), so an SDK upgrade that moves a
 * binding fails here instead of mis-routing at run time.
 */
type Schema = unknown[] | (() => unknown[]) | number | string;
const resolve = (schema: Schema): unknown => (typeof schema === 'function' ? schema() : schema);

/** Smithy's compact trait bitmask: bit 0 is httpLabel. */
const HTTP_LABEL = 1;

interface Bindings {
  method: string;
  path: string;
  labels: string[];
  query: Record<string, string>;
  headers: Record<string, string>;
}

function bindingsOf(operation: string): Bindings {
  const schema = (sdk as unknown as Record<string, unknown[] | undefined>)[`${operation}$`];
  if (!schema) throw new Error(`@aws-sdk/client-iot no longer exports the schema ${operation}$`);
  const [method, path] = (schema[3] as { http: [string, string] }).http;
  const input = resolve(schema[4] as Schema) as unknown[];
  const names = (input[4] ?? []) as string[];
  const members = (input[5] ?? []) as unknown[];
  const labels: string[] = [];
  const query: Record<string, string> = {};
  const headers: Record<string, string> = {};
  names.forEach((name, i) => {
    const member = members[i];
    const traits = Array.isArray(member) && member.length === 2 && !(typeof member[0] === 'number' && typeof member[1] === 'string') ? member[1] : 0;
    if (typeof traits === 'number') {
      if (traits % 2 === HTTP_LABEL) labels.push(name);
    } else if (traits && typeof traits === 'object') {
      const t = traits as { httpQuery?: string; httpHeader?: string };
      if (t.httpQuery) query[t.httpQuery] = name;
      if (t.httpHeader) headers[t.httpHeader.toLowerCase()] = name;
    }
  });
  return { method, path, labels, query, headers };
}

describe('the route table matches the SDK\'s http traits', () => {
  test.each(ROUTES.map(route => [route.operation, route] as const))('%s', (operation, route) => {
    const expected = bindingsOf(operation);
    expect(`${route.method} ${route.path}`).toBe(`${expected.method} ${expected.path}`);
    expect(Object.fromEntries(Object.entries(route.query ?? {}).map(([name, [member]]) => [name, member]))).toEqual(expected.query);
    expect(route.headers ?? {}).toEqual(expected.headers);
    expect([...route.path.matchAll(/\{(\w+)\}/g)].map(m => m[1]).sort()).toEqual([...expected.labels].sort());
  });
});
