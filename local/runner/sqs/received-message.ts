/** A received message as ReceiveMessage's JSON answer carries it, with the attributes the caller asked for. */
import { sqsApiError } from './api-errors';
import { md5OfMessageAttributes } from './digest';
import { attributesToWire, selectMessageAttributes } from './message-attributes';
import type { Received } from './queue';
import type { Json } from './request-fields';

/** The system attribute names SQS accepts in MessageSystemAttributeNames / AttributeNames. */
const SYSTEM_NAMES = new Set([
  'All', 'SenderId', 'SentTimestamp', 'ApproximateReceiveCount', 'ApproximateFirstReceiveTimestamp', 'SequenceNumber',
  'MessageDeduplicationId', 'MessageGroupId', 'AWSTraceHeader', 'DeadLetterQueueSourceArn',
]);

export function checkSystemAttributeNames(names: readonly string[]): void {
  const unknown = names.find((name) => !SYSTEM_NAMES.has(name));
  if (unknown !== undefined) throw sqsApiError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
}

export function receivedToWire(message: Received, systemNames: readonly string[], attributeNames: readonly string[]): Json {
  const wire: Json = { MessageId: message.messageId, ReceiptHandle: message.receiptHandle, MD5OfBody: message.md5OfBody, Body: message.body };
  const all = systemNames.includes('All');
  const system = Object.entries(message.attributes).filter(([name]) => all || systemNames.includes(name));
  if (system.length > 0) wire.Attributes = Object.fromEntries(system);
  const selected = selectMessageAttributes(message.messageAttributes, attributeNames);
  // The digest covers the attributes returned, so a client can check what it got (as the Java SDK does).
  const md5 = md5OfMessageAttributes(selected);
  if (md5 !== undefined) {
    wire.MD5OfMessageAttributes = md5;
    wire.MessageAttributes = attributesToWire(selected);
  }
  return wire;
}
