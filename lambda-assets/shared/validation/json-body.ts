import { badRequest } from '../http/client-error';

/** Largest body we read: a CA plus a verification certificate fit with room to spare. */
const MAX_BODY_BYTES = 64 * 1024;

/**
 * Parses an API Gateway proxy body into a JSON object. An absent or empty body
 * is an empty object: every field of our requests has a default or is optional.
 */
export function parseJsonObjectBody(
  body: string | null | undefined,
  isBase64Encoded = false,
  maxBytes = MAX_BODY_BYTES,
): Record<string, unknown> {
  if (body === null || body === undefined || body.trim() === '') return {};
  const text = isBase64Encoded ? Buffer.from(body, 'base64').toString('utf8') : body;
  if (Buffer.byteLength(text) > maxBytes) {
    throw badRequest('BodyTooLarge', `body: must be at most ${maxBytes} bytes`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw badRequest('MalformedJson', 'body: is not valid JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw badRequest('InvalidBody', 'body: must be a JSON object');
  }
  return parsed as Record<string, unknown>;
}
