/** GetQueueAttributes: the attributes a local queue has, as SQS answers them (every value a string). */
import { sqsApiError } from './api-errors';
import { MAX_MESSAGE_BYTES } from './message-limits';
import type { LocalQueue } from './queue';
import type { PolicyDocument } from '../iam/types';

/** Every attribute name SQS accepts; those a local queue does not model are left out of the answer. */
const KNOWN_NAMES = new Set([
  'All', 'Policy', 'VisibilityTimeout', 'MaximumMessageSize', 'MessageRetentionPeriod', 'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible', 'CreatedTimestamp', 'LastModifiedTimestamp', 'QueueArn', 'ApproximateNumberOfMessagesDelayed',
  'DelaySeconds', 'ReceiveMessageWaitTimeSeconds', 'RedrivePolicy', 'FifoQueue', 'ContentBasedDeduplication', 'KmsMasterKeyId',
  'KmsDataKeyReusePeriodSeconds', 'DeduplicationScope', 'FifoThroughputLimit', 'RedriveAllowPolicy', 'SqsManagedSseEnabled',
]);

function values(queue: LocalQueue, policy: PolicyDocument | undefined): Record<string, string | undefined> {
  return {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(queue.approximateNumberOfMessages()),
    ApproximateNumberOfMessagesNotVisible: String(queue.approximateNumberOfMessagesNotVisible()),
    // The local queues deliver at once: nothing is ever delayed.
    ApproximateNumberOfMessagesDelayed: '0',
    DelaySeconds: '0',
    ReceiveMessageWaitTimeSeconds: '0',
    VisibilityTimeout: String(queue.visibilityTimeoutSeconds),
    MessageRetentionPeriod: String(queue.messageRetentionSeconds),
    MaximumMessageSize: String(MAX_MESSAGE_BYTES),
    FifoQueue: undefined,
    // SQS answers the redrive policy as a JSON string with a numeric maxReceiveCount.
    RedrivePolicy: queue.deadLetter
      ? JSON.stringify({ deadLetterTargetArn: queue.deadLetter.targetArn, maxReceiveCount: queue.deadLetter.maxReceiveCount })
      : undefined,
    Policy: policy ? JSON.stringify(policy) : undefined,
  };
}

export function queueAttributes(queue: LocalQueue, names: readonly string[], policy: PolicyDocument | undefined): Record<string, string> {
  const unknown = names.find((name) => !KNOWN_NAMES.has(name));
  if (unknown !== undefined) throw sqsApiError('InvalidAttributeName', `Unknown Attribute ${unknown}.`);
  const all = names.includes('All');
  const answer: Record<string, string> = {};
  for (const [name, value] of Object.entries(values(queue, policy))) {
    if (value !== undefined && (all || names.includes(name))) answer[name] = value;
  }
  return answer;
}
