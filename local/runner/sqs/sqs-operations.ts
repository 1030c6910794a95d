/**
 * The SQS API operations the local queues answer, from AWS JSON 1.0 input to output shapes. Batch
 * operations are authorized as their single-message action: IAM has no sqs:SendMessageBatch (CDK's
 * grantSendMessages grants sqs:SendMessage, which covers both).
 */
import { sqsApiError } from './api-errors';
import { batchEntries, runEntries } from './batch-entries';
import { receiveWithWait } from './long-poll';
import { readMessageAttributes } from './message-attributes';
import { checkMessage, MAX_MESSAGE_BYTES } from './message-limits';
import type { LocalQueue } from './queue';
import { queueAttributes } from './queue-attributes';
import { checkSystemAttributeNames, receivedToWire } from './received-message';
import { Json, optionalInteger, optionalString, requiredInteger, requiredString, stringList } from './request-fields';
import type { SqsCall } from './sqs-call';

export type SqsOperation = (call: SqsCall, input: Json) => Json | Promise<Json>;

const MAX_VISIBILITY_SECONDS = 43_200;

/** Checks and sends one message (SendMessage or a SendMessageBatch entry); answers its size too. */
function sendOne(queue: LocalQueue, input: Json): { output: Json; size: number } {
  const body = requiredString(input, 'MessageBody');
  const delay = optionalInteger(input, 'DelaySeconds', 0, 900, 0);
  if (delay > 0) {
    throw sqsApiError('InvalidParameterValue', `Value ${delay} for parameter DelaySeconds is invalid. Reason: the local queues do not delay messages; use 0.`);
  }
  const attributes = readMessageAttributes(input.MessageAttributes);
  const size = checkMessage(body, attributes);
  const sent = queue.send(body, attributes);
  const output: Json = { MessageId: sent.messageId, MD5OfMessageBody: sent.md5OfBody };
  if (sent.md5OfMessageAttributes !== undefined) output.MD5OfMessageAttributes = sent.md5OfMessageAttributes;
  return { output, size };
}

function visibilityTimeout(input: Json): number {
  return requiredInteger(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_SECONDS);
}

export const SQS_OPERATIONS: Readonly<Record<string, SqsOperation>> = {
  SendMessage: (call, input) => sendOne(call.queueAt(input, 'sqs:SendMessage'), input).output,

  SendMessageBatch: (call, input) => {
    const queue = call.queueAt(input, 'sqs:SendMessage');
    const entries = batchEntries(input);
    // The 256 KiB limit also holds for the batch as a whole (bodies here; each entry's attributes are checked with it).
    const total = entries.reduce((sum, entry) => {
      const body = typeof entry.MessageBody === 'string' ? entry.MessageBody : '';
      return sum + Buffer.byteLength(body, 'utf8');
    }, 0);
    if (total > MAX_MESSAGE_BYTES) {
      throw sqsApiError('BatchRequestTooLong', `Batch requests cannot be longer than ${MAX_MESSAGE_BYTES} bytes. You have sent ${total} bytes.`);
    }
    return runEntries(entries, (entry) => sendOne(queue, entry).output);
  },

  ReceiveMessage: async (call, input) => {
    const queue = call.queueAt(input, 'sqs:ReceiveMessage');
    const max = optionalInteger(input, 'MaxNumberOfMessages', 1, 10, 1);
    const visibility = optionalInteger(input, 'VisibilityTimeout', 0, MAX_VISIBILITY_SECONDS, queue.visibilityTimeoutSeconds);
    const wait = optionalInteger(input, 'WaitTimeSeconds', 0, 20, 0);
    // AttributeNames is the deprecated spelling of MessageSystemAttributeNames; SQS honours both.
    const systemNames = [...stringList(input, 'MessageSystemAttributeNames'), ...stringList(input, 'AttributeNames')];
    checkSystemAttributeNames(systemNames);
    const attributeNames = stringList(input, 'MessageAttributeNames');
    const messages = await receiveWithWait(queue, () => queue.receive(max, visibility), wait, call.clock, call.signal);
    // With nothing received SQS answers an empty object, not an empty list.
    return messages.length === 0 ? {} : { Messages: messages.map((message) => receivedToWire(message, systemNames, attributeNames)) };
  },

  DeleteMessage: (call, input) => {
    const queue = call.queueAt(input, 'sqs:DeleteMessage');
    queue.delete(requiredString(input, 'ReceiptHandle'));
    return {};
  },

  DeleteMessageBatch: (call, input) => {
    const queue = call.queueAt(input, 'sqs:DeleteMessage');
    return runEntries(batchEntries(input), (entry) => {
      queue.delete(requiredString(entry, 'ReceiptHandle'));
      return {};
    });
  },

  ChangeMessageVisibility: (call, input) => {
    const queue = call.queueAt(input, 'sqs:ChangeMessageVisibility');
    queue.changeVisibility(requiredString(input, 'ReceiptHandle'), visibilityTimeout(input));
    return {};
  },

  ChangeMessageVisibilityBatch: (call, input) => {
    const queue = call.queueAt(input, 'sqs:ChangeMessageVisibility');
    return runEntries(batchEntries(input), (entry) => {
      queue.changeVisibility(requiredString(entry, 'ReceiptHandle'), visibilityTimeout(entry));
      return {};
    });
  },

  GetQueueUrl: (call, input) => ({ QueueUrl: call.urlOf(call.queueNamed(input, 'sqs:GetQueueUrl')) }),

  GetQueueAttributes: (call, input) => {
    const queue = call.queueAt(input, 'sqs:GetQueueAttributes');
    const attributes = queueAttributes(queue, stringList(input, 'AttributeNames'), call.policyOf(queue));
    return Object.keys(attributes).length === 0 ? {} : { Attributes: attributes };
  },

  ListQueues: (call, input) => {
    call.authorizeAccount('sqs:ListQueues');
    const prefix = optionalString(input, 'QueueNamePrefix') ?? '';
    const maxResults = optionalInteger(input, 'MaxResults', 1, 1000);
    const start = nextTokenOffset(optionalString(input, 'NextToken'));
    const matching = call.queues().filter((queue) => queue.name.startsWith(prefix));
    const page = matching.slice(start, maxResults === undefined ? 1000 : start + maxResults);
    const output: Json = {};
    if (page.length > 0) output.QueueUrls = page.map((queue) => call.urlOf(queue));
    // SQS pages only when MaxResults is given.
    if (maxResults !== undefined && start + page.length < matching.length) output.NextToken = nextToken(start + page.length);
    return output;
  },
};

function nextToken(offset: number): string {
  return Buffer.from(JSON.stringify({ offset }), 'utf8').toString('base64');
}

function nextTokenOffset(token: string | undefined): number {
  if (token === undefined) return 0;
  try {
    const offset = (JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as { offset?: unknown }).offset;
    if (typeof offset === 'number' && Number.isInteger(offset) && offset >= 0) return offset;
  } catch {
    // Falls through to the refusal below.
  }
  throw sqsApiError('InvalidParameterValue', 'Value for parameter NextToken is invalid. Reason: it is not a token ListQueues answered.');
}
