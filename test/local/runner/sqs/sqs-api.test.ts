import {
  ChangeMessageVisibilityCommand, DeleteMessageBatchCommand, DeleteMessageCommand, GetQueueAttributesCommand, GetQueueUrlCommand,
  ListQueuesCommand, MessageNotInflight, QueueDoesNotExist, ReceiptHandleIsInvalid, ReceiveMessageCommand, ReceiveMessageCommandInput,
  SendMessageBatchCommand, SendMessageCommand, SQSClient, SQSServiceException, TooManyEntriesInBatchRequest, BatchEntryIdsNotDistinct,
  EmptyBatchRequest,
} from '@aws-sdk/client-sqs';
import { ACCOUNT, queueOptions, REGION } from './support';
import { SigV4Verifier, type AccessControl, type AccessDecision, type AccessRequest, type PolicyDocument, type Principal, type SignedHttpRequest } from '../../../../local/runner/iam';
import { denialReason } from '../../../../local/runner/iam';
import { LocalQueues, ManualClock, md5Hex, md5OfMessageAttributes, startSqsApi, type RunningSqsApi } from '../../../../local/runner/sqs';

interface TestUser { readonly accessKeyId: string; readonly secretAccessKey: string; readonly arn: string }

function user(name: string): TestUser {
  return { accessKeyId: `AKID${name.toUpperCase()}`, secretAccessKey: `secret-of-${name}`, arn: `arn:aws:iam::${ACCOUNT}:role/${name}` };
}

/** Real SigV4 checking for known keys; allow when a (principal, action, resource) row of the table matches. */
class TableAccessControl implements AccessControl {
  readonly requests: AccessRequest[] = [];
  private readonly verifier: SigV4Verifier;

  constructor(users: readonly TestUser[], public allow: Array<[principal: string, action: string, resource: string]>) {
    this.verifier = new SigV4Verifier({
      region: REGION,
      lookup: (accessKeyId) => {
        const known = users.find((u) => u.accessKeyId === accessKeyId);
        return known && { credentials: known, principal: { arn: known.arn, accountId: ACCOUNT } };
      },
    });
  }

  authenticate(request: SignedHttpRequest, service: string): Principal {
    return this.verifier.verify(request, service);
  }

  authorize(request: AccessRequest): AccessDecision {
    this.requests.push(request);
    const glob = (pattern: string, value: string) => pattern === '*' || pattern === value || (pattern.endsWith('*') && value.startsWith(pattern.slice(0, -1)));
    const allowed = this.allow.some(([principal, action, resource]) =>
      glob(principal, request.principal.arn) && glob(action, request.action) && glob(resource, request.resource));
    return allowed ? { allowed, reason: 'allowed by the table' } : { allowed, reason: denialReason(request) };
  }
}

const admin = user('admin');
const reader = user('reader');
const arnOf = (name: string) => `arn:aws:sqs:${REGION}:${ACCOUNT}:${name}`;
const ordersPolicy: PolicyDocument = { Statement: [{ Effect: 'Allow', Principal: { AWS: admin.arn }, Action: 'sqs:*', Resource: arnOf('orders') }] };

describe('SQS API', () => {
  const clock = new ManualClock(1_700_000_000_000);
  const queues = new LocalQueues(clock);
  const orders = queues.create(queueOptions('orders', { visibilityTimeoutSeconds: 30 }));
  const dlq = queues.create(queueOptions('work-dlq'));
  const work = queues.create(queueOptions('work', { visibilityTimeoutSeconds: 5, deadLetter: { targetArn: dlq.arn, maxReceiveCount: 2 } }));
  const accessControl = new TableAccessControl([admin, reader], []);
  let api: RunningSqsApi;

  function client(who: TestUser, secret = who.secretAccessKey): SQSClient {
    const credentials = { accessKeyId: who.accessKeyId, secretAccessKey: secret };
    return new SQSClient({ endpoint: api.url, region: REGION, maxAttempts: 1, credentials });
  }
  const sqs = () => client(admin);
  const receive = (input: Omit<ReceiveMessageCommandInput, 'QueueUrl'> & { QueueUrl?: string } = {}) =>
    sqs().send(new ReceiveMessageCommand({ QueueUrl: orders.url, MessageSystemAttributeNames: ['All'], ...input }));
  /** Resolves once a long poll is waiting on the manual clock. */
  async function pollWaiting(): Promise<void> {
    for (let i = 0; i < 200 && clock.pendingTimers === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    expect(clock.pendingTimers).toBeGreaterThan(0);
  }
  async function drain(url: string): Promise<void> {
    const batch = () => receive({ QueueUrl: url, MaxNumberOfMessages: 10 });
    for (let r = await batch(); r.Messages; r = await batch()) {
      for (const m of r.Messages) await sqs().send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: m.ReceiptHandle }));
    }
  }

  beforeAll(async () => {
    api = await startSqsApi({
      queues,
      accessControl,
      region: REGION,
      accountId: ACCOUNT,
      clock,
      queuePolicy: (arn) => (arn === orders.arn ? ordersPolicy : undefined),
    });
  });
  afterAll(() => api.close());
  beforeEach(async () => {
    accessControl.allow = [[admin.arn, 'sqs:*', '*'], [reader.arn, 'sqs:ReceiveMessage', orders.arn]];
    // Whatever an earlier test left hidden shows again after the longest visibility timeout (12 h).
    clock.advance(43_200_000);
    for (const queue of [orders, work, dlq]) await drain(queue.url);
    accessControl.requests.length = 0;
  });

  test('send, receive and delete, with message attributes whose MD5s the SDK checks', async () => {
    const attributes = {
      'attr.color': { DataType: 'String', StringValue: 'blue' },
      'attr.count': { DataType: 'Number', StringValue: '42' },
      'raw': { DataType: 'Binary', BinaryValue: new Uint8Array([0, 1, 2, 255]) },
    };
    const sent = await sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'hello wörld', MessageAttributes: attributes }));
    expect(sent.MD5OfMessageBody).toBe(md5Hex('hello wörld'));
    expect(sent.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(attributes));

    const { Messages } = await receive({ MessageAttributeNames: ['All'] });
    expect(Messages).toHaveLength(1);
    const [message] = Messages!;
    expect(message).toMatchObject({ MessageId: sent.MessageId, Body: 'hello wörld', MD5OfBody: md5Hex('hello wörld') });
    expect(message.Attributes).toEqual({
      ApproximateReceiveCount: '1', SentTimestamp: String(clock.now()), ApproximateFirstReceiveTimestamp: String(clock.now()),
    });
    expect(message.MessageAttributes!.raw.BinaryValue).toEqual(new Uint8Array([0, 1, 2, 255]));
    expect(message.MessageAttributes!['attr.count']).toEqual({ DataType: 'Number', StringValue: '42' });
    expect(message.MD5OfMessageAttributes).toBe(md5OfMessageAttributes(attributes));

    await sqs().send(new DeleteMessageCommand({ QueueUrl: orders.url, ReceiptHandle: message.ReceiptHandle }));
    expect(orders.approximateNumberOfMessages() + orders.approximateNumberOfMessagesNotVisible()).toBe(0);
  });

  test('MessageAttributeNames selects by name or prefix; without it no attributes come back', async () => {
    await sqs().send(new SendMessageCommand({
      QueueUrl: orders.url,
      MessageBody: 'x',
      MessageAttributes: { 'attr.a': { DataType: 'String', StringValue: '1' }, 'other': { DataType: 'String', StringValue: '2' } },
    }));
    const selected = await receive({ MessageAttributeNames: ['attr.*'], VisibilityTimeout: 0 });
    expect(Object.keys(selected.Messages![0].MessageAttributes!)).toEqual(['attr.a']);
    expect(selected.Messages![0].MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ 'attr.a': { DataType: 'String', StringValue: '1' } }));
    const bare = await receive({ MessageSystemAttributeNames: [] });
    expect(bare.Messages![0].MessageAttributes).toBeUndefined();
    expect(bare.Messages![0].Attributes).toBeUndefined();
  });

  test('batch send and delete report a failing entry on its own', async () => {
    const batch = await sqs().send(new SendMessageBatchCommand({
      QueueUrl: orders.url,
      Entries: [
        { Id: 'a', MessageBody: 'first' },
        { Id: 'b', MessageBody: 'delayed', DelaySeconds: 5 },
        { Id: 'c', MessageBody: 'third', MessageAttributes: { k: { DataType: 'String', StringValue: 'v' } } },
      ],
    }));
    expect(batch.Successful!.map((entry) => entry.Id)).toEqual(['a', 'c']);
    expect(batch.Successful![1].MD5OfMessageAttributes).toBe(md5OfMessageAttributes({ k: { DataType: 'String', StringValue: 'v' } }));
    expect(batch.Failed).toEqual([{ Id: 'b', SenderFault: true, Code: 'InvalidParameterValue', Message: expect.stringContaining('DelaySeconds') }]);

    const { Messages } = await receive({ MaxNumberOfMessages: 10 });
    expect(Messages!.map((m) => m.Body)).toEqual(['first', 'third']);
    const deleted = await sqs().send(new DeleteMessageBatchCommand({
      QueueUrl: orders.url,
      Entries: [{ Id: 'one', ReceiptHandle: Messages![0].ReceiptHandle }, { Id: 'bad', ReceiptHandle: 'not-a-handle' }],
    }));
    expect(deleted.Successful).toEqual([{ Id: 'one' }]);
    expect(deleted.Failed).toEqual([{ Id: 'bad', SenderFault: true, Code: 'ReceiptHandleIsInvalid', Message: expect.stringContaining('not-a-handle') }]);
    expect(orders.approximateNumberOfMessagesNotVisible()).toBe(1);
  });

  test('a malformed batch is refused whole, with the typed exception', async () => {
    const entries = (ids: string[]) => ids.map((Id) => ({ Id, MessageBody: 'x' }));
    await expect(sqs().send(new SendMessageBatchCommand({ QueueUrl: orders.url, Entries: [] }))).rejects.toBeInstanceOf(EmptyBatchRequest);
    await expect(sqs().send(new SendMessageBatchCommand({ QueueUrl: orders.url, Entries: entries(['1', '2', '3', '4', '5', '6', '7', '8', '9', '10', '11']) })))
      .rejects.toBeInstanceOf(TooManyEntriesInBatchRequest);
    await expect(sqs().send(new SendMessageBatchCommand({ QueueUrl: orders.url, Entries: entries(['same', 'same']) })))
      .rejects.toBeInstanceOf(BatchEntryIdsNotDistinct);
    expect(orders.approximateNumberOfMessages()).toBe(0);
  });

  test('the visibility timeout hides a received message until it runs out; ChangeMessageVisibility moves it', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'job' }));
    const first = (await receive({ VisibilityTimeout: 10 })).Messages![0];
    expect((await receive()).Messages).toBeUndefined();
    clock.advance(10_000);
    const second = (await receive()).Messages![0];
    expect(second).toMatchObject({ MessageId: first.MessageId, Attributes: expect.objectContaining({ ApproximateReceiveCount: '2' }) });

    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: orders.url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 60 }));
    clock.advance(30_000);
    expect((await receive()).Messages).toBeUndefined();
    await sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: orders.url, ReceiptHandle: second.ReceiptHandle, VisibilityTimeout: 0 }));
    const third = (await receive()).Messages![0];
    expect(third.MessageId).toBe(first.MessageId);
    // The handle of an earlier receive no longer names the message in flight.
    await expect(sqs().send(new ChangeMessageVisibilityCommand({ QueueUrl: orders.url, ReceiptHandle: first.ReceiptHandle, VisibilityTimeout: 5 })))
      .rejects.toBeInstanceOf(MessageNotInflight);
  });

  test('after maxReceiveCount receives the message moves to the dead-letter queue', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: work.url, MessageBody: 'poison' }));
    for (let i = 0; i < 2; i++) {
      expect((await receive({ QueueUrl: work.url })).Messages![0].Body).toBe('poison');
      clock.advance(5_000);
    }
    expect((await receive({ QueueUrl: work.url })).Messages).toBeUndefined();
    const dead = await receive({ QueueUrl: dlq.url });
    expect(dead.Messages![0]).toMatchObject({ Body: 'poison', Attributes: expect.objectContaining({ ApproximateReceiveCount: '1' }) });
  });

  test('a long poll answers as soon as a message is sent', async () => {
    const waiting = receive({ WaitTimeSeconds: 20 });
    await pollWaiting();
    await sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'late' }));
    expect((await waiting).Messages!.map((m) => m.Body)).toEqual(['late']);
    expect(clock.pendingTimers).toBe(0);
  });

  test('a long poll answers when a hidden message becomes visible again, or with nothing at the end', async () => {
    await sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'retry' }));
    await receive({ VisibilityTimeout: 8 });
    const waiting = receive({ WaitTimeSeconds: 20 });
    await pollWaiting();
    clock.advance(8_000);
    expect((await waiting).Messages![0].Body).toBe('retry');

    const empty = receive({ QueueUrl: work.url, WaitTimeSeconds: 3 });
    await pollWaiting();
    clock.advance(3_000);
    expect((await empty).Messages).toBeUndefined();
  });

  test('GetQueueUrl answers a URL on the endpoint that addresses the queue; GetQueueAttributes and ListQueues', async () => {
    const { QueueUrl } = await sqs().send(new GetQueueUrlCommand({ QueueName: 'work' }));
    expect(QueueUrl).toBe(`${api.url}/${ACCOUNT}/work`);
    const { Attributes } = await sqs().send(new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['All'] }));
    expect(Attributes).toMatchObject({
      QueueArn: work.arn,
      ApproximateNumberOfMessages: '0',
      ApproximateNumberOfMessagesNotVisible: '0',
      VisibilityTimeout: '5',
      MessageRetentionPeriod: '345600',
      RedrivePolicy: JSON.stringify({ deadLetterTargetArn: dlq.arn, maxReceiveCount: 2 }),
    });
    const picked = await sqs().send(new GetQueueAttributesCommand({ QueueUrl: orders.url, AttributeNames: ['QueueArn', 'Policy'] }));
    expect(picked.Attributes).toEqual({ QueueArn: orders.arn, Policy: JSON.stringify(ordersPolicy) });

    expect((await sqs().send(new ListQueuesCommand({ QueueNamePrefix: 'work' }))).QueueUrls).toEqual([`${api.url}/${ACCOUNT}/work-dlq`, `${api.url}/${ACCOUNT}/work`]);
    const page = await sqs().send(new ListQueuesCommand({ MaxResults: 2 }));
    expect(page.QueueUrls).toHaveLength(2);
    expect((await sqs().send(new ListQueuesCommand({ MaxResults: 2, NextToken: page.NextToken }))).QueueUrls).toEqual([`${api.url}/${ACCOUNT}/work`]);
    expect(accessControl.requests.find((r) => r.action === 'sqs:ListQueues')!.resource).toBe(`arn:aws:sqs:${REGION}:${ACCOUNT}:*`);
  });

  test('with only AWS_ENDPOINT_URL_SQS set, the URL GetQueueUrl answers keeps the SDK on the local endpoint', async () => {
    const previous = process.env.AWS_ENDPOINT_URL_SQS;
    process.env.AWS_ENDPOINT_URL_SQS = api.url;
    try {
      const credentials = { accessKeyId: admin.accessKeyId, secretAccessKey: admin.secretAccessKey };
      const fromEnv = new SQSClient({ region: REGION, maxAttempts: 1, credentials });
      const { QueueUrl } = await fromEnv.send(new GetQueueUrlCommand({ QueueName: 'orders' }));
      await fromEnv.send(new SendMessageCommand({ QueueUrl, MessageBody: 'via env' }));
      expect(orders.approximateNumberOfMessages()).toBe(1);
    } finally {
      if (previous === undefined) delete process.env.AWS_ENDPOINT_URL_SQS;
      else process.env.AWS_ENDPOINT_URL_SQS = previous;
    }
  });

  test('typed errors: QueueDoesNotExist, ReceiptHandleIsInvalid; validation errors name the field', async () => {
    const missing = sqs().send(new SendMessageCommand({ QueueUrl: `https://sqs.${REGION}.amazonaws.com/${ACCOUNT}/nope`, MessageBody: 'x' }));
    await expect(missing).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(missing).rejects.toMatchObject({ $metadata: { httpStatusCode: 400 }, Code: 'AWS.SimpleQueueService.NonExistentQueue' });
    await expect(sqs().send(new GetQueueUrlCommand({ QueueName: 'nope' }))).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(sqs().send(new DeleteMessageCommand({ QueueUrl: orders.url, ReceiptHandle: 'garbage' }))).rejects.toBeInstanceOf(ReceiptHandleIsInvalid);

    await expect(receive({ MaxNumberOfMessages: 11 })).rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('MaxNumberOfMessages') });
    await expect(receive({ WaitTimeSeconds: 21 })).rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('WaitTimeSeconds') });
    await expect(sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: '' })))
      .rejects.toMatchObject({ name: 'MissingParameter', message: expect.stringContaining('MessageBody') });
    await expect(sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'x', DelaySeconds: 3 })))
      .rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining('DelaySeconds') });
    await expect(sqs().send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'bell \u0007' })))
      .rejects.toMatchObject({ name: 'InvalidMessageContents' });
    await expect(sqs().send(new SendMessageCommand({
      QueueUrl: orders.url, MessageBody: 'x', MessageAttributes: { n: { DataType: 'Number', StringValue: 'many' } },
    }))).rejects.toMatchObject({ name: 'InvalidParameterValue', message: expect.stringContaining("'n'") });
    expect(orders.approximateNumberOfMessages()).toBe(0);
  });

  test('a principal without sqs:SendMessage gets AccessDenied (403) and nothing is sent', async () => {
    const denied = client(reader).send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'sneaky' }));
    await expect(denied).rejects.toBeInstanceOf(SQSServiceException);
    await expect(denied).rejects.toMatchObject({ name: 'AccessDenied', $metadata: { httpStatusCode: 403 } });
    const request = { principal: { arn: reader.arn, accountId: ACCOUNT }, action: 'sqs:SendMessage', resource: orders.arn, resourcePolicy: ordersPolicy };
    await expect(denied).rejects.toThrow(denialReason(request));
    expect(orders.approximateNumberOfMessages()).toBe(0);
    // Allowed to receive, and the queue policy went to IAM as the resource policy.
    await expect(client(reader).send(new ReceiveMessageCommand({ QueueUrl: orders.url }))).resolves.toBeDefined();
    expect(accessControl.requests.at(-1)).toMatchObject({ action: 'sqs:ReceiveMessage', resource: orders.arn, resourcePolicy: ordersPolicy });
  });

  test('batch operations are authorized as their single-message action; unknown queues are authorized before being reported', async () => {
    await sqs().send(new SendMessageBatchCommand({ QueueUrl: orders.url, Entries: [{ Id: 'a', MessageBody: 'x' }] }));
    expect(accessControl.requests.at(-1)).toMatchObject({ action: 'sqs:SendMessage', resource: orders.arn });
    const hidden = client(reader).send(new GetQueueAttributesCommand({ QueueUrl: `http://elsewhere/${ACCOUNT}/nope`, AttributeNames: ['All'] }));
    await expect(hidden).rejects.toMatchObject({ name: 'AccessDenied' });
    expect(accessControl.requests.at(-1)).toMatchObject({ action: 'sqs:GetQueueAttributes', resource: arnOf('nope') });
  });

  test('a wrong secret or an unknown key is refused before anything runs', async () => {
    const forged = client(admin, 'not-the-secret').send(new SendMessageCommand({ QueueUrl: orders.url, MessageBody: 'forged' }));
    await expect(forged).rejects.toMatchObject({ name: 'InvalidSignatureException', $metadata: { httpStatusCode: 403 } });
    await expect(client(user('stranger')).send(new ListQueuesCommand({}))).rejects.toMatchObject({ name: 'UnrecognizedClientException' });
    expect(orders.approximateNumberOfMessages()).toBe(0);
    expect(accessControl.requests).toHaveLength(0);
  });
});

test('close() ends a waiting long poll instead of waiting for it', async () => {
  const queues = new LocalQueues();
  const queue = queues.create(queueOptions('idle'));
  const who = user('admin');
  const accessControl = new TableAccessControl([who], [[who.arn, 'sqs:*', '*']]);
  const api = await startSqsApi({ queues, accessControl, region: REGION, accountId: ACCOUNT });
  const sqs = new SQSClient({ endpoint: api.url, region: REGION, maxAttempts: 1, credentials: who });
  const waiting = sqs.send(new ReceiveMessageCommand({ QueueUrl: queue.url, WaitTimeSeconds: 20 })).catch((error: unknown) => error);
  await new Promise((resolve) => setTimeout(resolve, 100));
  const started = Date.now();
  await api.close();
  await waiting;
  expect(Date.now() - started).toBeLessThan(2_000);
});
