/** What SQS refuses in a message before queuing it: characters outside its XML-safe set, and size. */
import { sqsApiError } from './api-errors';
import type { MessageAttributeValue } from './digest';
import { attributesSize } from './message-attributes';

/** 256 KiB, body and attributes together. */
export const MAX_MESSAGE_BYTES = 262_144;

// SQS allows #x9 | #xA | #xD | #x20-#xD7FF | #xE000-#xFFFD | #x10000-#x10FFFF (lone surrogates are out).
const DISALLOWED = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Throws as SendMessage would; answers the message's size for batch totals. */
export function checkMessage(body: string, attributes: Readonly<Record<string, MessageAttributeValue>>): number {
  if (DISALLOWED.test(body)) {
    throw sqsApiError('InvalidMessageContents', 'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF');
  }
  const size = Buffer.byteLength(body, 'utf8') + attributesSize(attributes);
  if (size > MAX_MESSAGE_BYTES) {
    throw sqsApiError('InvalidParameterValue', `One or more parameters are invalid. Reason: Message must be shorter than ${MAX_MESSAGE_BYTES} bytes.`);
  }
  return size;
}
