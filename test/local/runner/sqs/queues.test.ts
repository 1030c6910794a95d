import { queueOptions, withDeadLetter } from './support';
import { LocalQueues, ManualClock, SqsError } from '../../../../local/runner/sqs';

describe('LocalQueues', () => {
  test('finds queues by ARN, URL and name and refuses duplicates', () => {
    const queues = new LocalQueues(new ManualClock());
    const a = queues.create(queueOptions('a'));
    const b = queues.create(queueOptions('b'));
    expect(queues.byArn(a.arn)).toBe(a);
    expect(queues.byUrl(b.url)).toBe(b);
    expect(queues.byName('b')).toBe(b);
    expect(queues.byName('c')).toBeUndefined();
    expect(queues.list()).toEqual([a, b]);
    expect(() => queues.create(queueOptions('a'))).toThrow(SqsError);
    expect(() => queues.create({ ...queueOptions('z'), arn: a.arn })).toThrow(/QueueAlreadyExists/);
  });

  test('redrive: after maxReceiveCount receives, the next receive moves the message to the DLQ', () => {
    const { clock, queue, dlq } = withDeadLetter(3, 10);
    const { messageId } = queue.send('poison', { k: { DataType: 'String', StringValue: 'v' } });
    for (let attempt = 1; attempt <= 3; attempt++) {
      const [message] = queue.receive(10);
      expect(message.attributes.ApproximateReceiveCount).toBe(String(attempt));
      clock.advance(10_000);
    }
    expect(queue.receive(10)).toEqual([]);
    expect(queue.approximateNumberOfMessages() + queue.approximateNumberOfMessagesNotVisible()).toBe(0);
    const [dead] = dlq.receive(10);
    expect(dead).toMatchObject({
      messageId,
      body: 'poison',
      messageAttributes: { k: { DataType: 'String', StringValue: 'v' } },
      attributes: { ApproximateReceiveCount: '1', SentTimestamp: String(1_700_000_000_000) },
    });
  });

  test('redrive happens inside a receive that still delivers the healthy messages', () => {
    const { clock, queue, dlq } = withDeadLetter(1, 10);
    queue.send('poison');
    queue.receive(1);
    clock.advance(10_000);
    queue.send('fine');
    expect(queue.receive(10).map((m) => m.body)).toEqual(['fine']);
    expect(dlq.approximateNumberOfMessages()).toBe(1);
  });

  test('a dead-letter queue created later is found; a missing one keeps the message where it is', () => {
    const clock = new ManualClock();
    const queues = new LocalQueues(clock);
    const dlqOptions = queueOptions('late-dlq');
    const queue = queues.create(queueOptions('src', { visibilityTimeoutSeconds: 1, deadLetter: { targetArn: dlqOptions.arn, maxReceiveCount: 1 } }));
    queue.send('x');
    queue.receive(1);
    clock.advance(1_000);
    expect(queue.receive(1)[0].attributes.ApproximateReceiveCount).toBe('2');
    const dlq = queues.create(dlqOptions);
    clock.advance(1_000);
    expect(queue.receive(1)).toEqual([]);
    expect(dlq.receive(1).map((m) => m.body)).toEqual(['x']);
  });
});
