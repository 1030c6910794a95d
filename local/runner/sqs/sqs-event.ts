import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import type { MessageAttributeValue } from './digest';
import type { Received } from './queue';

/** The event Lambda hands a function for a batch received from the queue with this ARN. */
export function sqsEvent(queueArn: string, batch: readonly Received[]): SQSEvent {
  const [, , , region = '', account = ''] = queueArn.split(':');
  return { Records: batch.map((message) => sqsRecord(message, queueArn, region, account)) };
}

function sqsRecord(message: Received, queueArn: string, awsRegion: string, account: string): SQSRecord {
  const record: SQSRecord = {
    messageId: message.messageId,
    receiptHandle: message.receiptHandle,
    body: message.body,
    attributes: { ...message.attributes, SenderId: account },
    messageAttributes: lambdaAttributes(message.messageAttributes),
    md5OfBody: message.md5OfBody,
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion,
  };
  if (message.md5OfMessageAttributes) record.md5OfMessageAttributes = message.md5OfMessageAttributes;
  return record;
}

/** Lambda spells message attributes in camel case, binary values in base64. */
function lambdaAttributes(attributes: Readonly<Record<string, MessageAttributeValue>>): SQSMessageAttributes {
  const result: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(attributes)) {
    result[name] = {
      ...(value.StringValue !== undefined ? { stringValue: value.StringValue } : {}),
      ...(value.BinaryValue !== undefined ? { binaryValue: Buffer.from(value.BinaryValue).toString('base64') } : {}),
      stringListValues: [],
      binaryListValues: [],
      dataType: value.DataType,
    };
  }
  return result;
}
