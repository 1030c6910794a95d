/**
 * Reads what a Lambda proxy integration returned ({statusCode, headers, multiValueHeaders, body,
 * isBase64Encoded}) into the HTTP answer; anything else is what AWS logs as a malformed proxy response.
 */
import type { HttpAnswer } from './gateway-responses';

export type ProxyResponseReading = { readonly answer: HttpAnswer } | { readonly malformed: string };

export function readProxyResponse(payload: unknown): ProxyResponseReading {
  if (typeof payload !== 'object' || payload === null || Array.isArray(payload)) return { malformed: 'the result is not a JSON object' };
  const result = payload as Record<string, unknown>;
  const statusCode = typeof result.statusCode === 'string' && /^\d+$/.test(result.statusCode) ? Number(result.statusCode) : result.statusCode;
  if (typeof statusCode !== 'number' || !Number.isInteger(statusCode) || statusCode < 100 || statusCode > 599) {
    return { malformed: `statusCode ${JSON.stringify(result.statusCode)} is not an HTTP status code` };
  }
  if (result.body !== undefined && result.body !== null && typeof result.body !== 'string') return { malformed: 'body is not a string' };
  if (result.isBase64Encoded !== undefined && result.isBase64Encoded !== null && typeof result.isBase64Encoded !== 'boolean') {
    return { malformed: 'isBase64Encoded is not a boolean' };
  }
  const headers = responseHeaders(result.headers, result.multiValueHeaders);
  if (typeof headers === 'string') return { malformed: headers };
  const body = typeof result.body === 'string' ? Buffer.from(result.body, result.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  // API Gateway answers application/json when the function names no content type.
  if (!Object.keys(headers).some((name) => name.toLowerCase() === 'content-type')) headers['Content-Type'] = ['application/json'];
  return { answer: { statusCode, headers, body } };
}

/** multiValueHeaders and headers merged, as API Gateway does; scalars are sent as their string form. */
function responseHeaders(single: unknown, multi: unknown): Record<string, string[]> | string {
  const merged: Record<string, string[]> = {};
  const add = (name: string, value: unknown): string | undefined => {
    if (!['string', 'number', 'boolean'].includes(typeof value)) return `header ${name} has a value that is not a string, number or boolean`;
    const key = Object.keys(merged).find((existing) => existing.toLowerCase() === name.toLowerCase()) ?? name;
    const values = (merged[key] ??= []);
    if (!values.includes(String(value))) values.push(String(value));
    return undefined;
  };
  for (const [source, value] of [['multiValueHeaders', multi], ['headers', single]] as const) {
    if (value === undefined || value === null) continue;
    if (typeof value !== 'object' || Array.isArray(value)) return `${source} is not an object`;
    for (const [name, entry] of Object.entries(value)) {
      const problem = source === 'multiValueHeaders'
        ? (Array.isArray(entry) ? entry.map((item) => add(name, item)).find(Boolean) : `multiValueHeaders.${name} is not a list`)
        : add(name, entry);
      if (problem) return problem;
    }
  }
  return merged;
}
