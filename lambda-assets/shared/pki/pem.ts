import { pkiError } from './errors';
import type { Bytes } from './runtime';

const PEM_BLOCK = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)-----END ([A-Z0-9 ]+)-----/g;
const BASE64_BODY = /^[A-Za-z0-9+/=\s]*$/;

/** Wraps DER in a PEM block with 64-character lines, the layout OpenSSL and AWS IoT write. */
export function encodePem(der: ArrayBuffer | Uint8Array, label: string): string {
  const base64 = Buffer.from(der instanceof Uint8Array ? der : new Uint8Array(der)).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < base64.length; i += 64) {
    lines.push(base64.slice(i, i + 64));
  }
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/**
 * Decodes exactly one PEM block whose label is one of `labels`. Anything else (no block, two
 * blocks, a chain, another kind of object, broken base64) is MALFORMED_PEM: a handler must not
 * silently pick one certificate out of several.
 */
export function decodePem(text: unknown, labels: readonly string[], what: string): { label: string; der: Bytes } {
  if (typeof text !== 'string') {
    throw pkiError('MALFORMED_PEM', `${what} must be a PEM string`);
  }
  const blocks = [...text.matchAll(PEM_BLOCK)];
  if (blocks.length !== 1) {
    throw pkiError('MALFORMED_PEM', blocks.length === 0
      ? `${what} is not PEM (expected -----BEGIN ${labels[0]}-----)`
      : `${what} holds ${blocks.length} PEM blocks; expected exactly one`);
  }
  const [, label, body, endLabel] = blocks[0];
  if (label !== endLabel || !labels.includes(label)) {
    throw pkiError('MALFORMED_PEM', `${what} is a PEM "${label}" block; expected ${labels.map(l => `"${l}"`).join(' or ')}`);
  }
  if (!BASE64_BODY.test(body)) {
    throw pkiError('MALFORMED_PEM', `${what} has characters that are not base64 (encrypted PEM headers are not supported)`);
  }
  const der = new Uint8Array(Buffer.from(body.replace(/\s+/g, ''), 'base64'));
  if (der.length === 0) {
    throw pkiError('MALFORMED_PEM', `${what} is an empty PEM block`);
  }
  return { label, der };
}
