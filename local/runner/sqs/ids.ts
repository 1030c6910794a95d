import { createHash } from 'node:crypto';

/** A deterministic, UUID-shaped message id: the same queue and sequence always give the same id. */
export function messageIdFor(queueArn: string, sequence: number): string {
  const hex = createHash('sha256').update(`${queueArn}#${sequence}`).digest('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

/** An opaque receipt handle, unique per receive. */
export function receiptHandleFor(messageId: string, receive: number): string {
  return Buffer.from(`${messageId}#${receive}#local-sqs`, 'utf8').toString('base64');
}
