import type { SQSEvent } from 'aws-lambda';
import { ACCOUNT, queueOptions, REGION, withDeadLetter } from './support';
import {
  Clock,
  EventSourceMappingOptions,
  LocalQueue,
  LocalQueues,
  ManualClock,
  sleep,
  SqsEventSourcePoller,
  systemClock,
} from '../../../../local/runner/sqs';

type Handler = (event: SQSEvent) => Promise<unknown>;

/** Records every invocation's message ids. */
function recorder(handler: Handler) {
  const batches: string[][] = [];
  const invoke = async (event: SQSEvent) => {
    batches.push(event.Records.map((record) => record.body));
    return handler(event);
  };
  return { batches, invoke };
}

function countBy(values: string[]): Map<string, number> {
  const counts = new Map<string, number>();
  for (const value of values) counts.set(value, (counts.get(value) ?? 0) + 1);
  return counts;
}

describe('SqsEventSourcePoller', () => {
  let poller: SqsEventSourcePoller | undefined;
  afterEach(async () => {
    await poller?.stop();
    poller = undefined;
  });

  type RunOptions = Partial<EventSourceMappingOptions> & { invoke: Handler };
  function run(queue: LocalQueue, clock: Clock, options: RunOptions) {
    poller = new SqsEventSourcePoller({ queue, batchSize: 10, reportBatchItemFailures: true, ...options }, clock);
    poller.start();
    return poller;
  }

  test('the function receives the SQS event shape Lambda sends', async () => {
    const { clock, queue } = withDeadLetter(3);
    const events: SQSEvent[] = [];
    const sent = queue.send('{"hello":1}', { kind: { DataType: 'String', StringValue: 'x' }, raw: { DataType: 'Binary', BinaryValue: Buffer.from('hi') } });
    await run(queue, clock, { invoke: async (event) => void events.push(event) }).drained();
    expect(events).toHaveLength(1);
    const [record] = events[0].Records;
    expect(record).toEqual({
      messageId: sent.messageId,
      receiptHandle: expect.any(String),
      body: '{"hello":1}',
      attributes: {
        ApproximateReceiveCount: '1',
        SentTimestamp: String(1_700_000_000_000),
        SenderId: ACCOUNT,
        ApproximateFirstReceiveTimestamp: String(1_700_000_000_000),
      },
      messageAttributes: {
        kind: { stringValue: 'x', stringListValues: [], binaryListValues: [], dataType: 'String' },
        raw: { binaryValue: Buffer.from('hi').toString('base64'), stringListValues: [], binaryListValues: [], dataType: 'Binary' },
      },
      md5OfBody: sent.md5OfBody,
      md5OfMessageAttributes: sent.md5OfMessageAttributes,
      eventSource: 'aws:sqs',
      eventSourceARN: queue.arn,
      awsRegion: REGION,
    });
  });

  test('success deletes every message of the batch', async () => {
    const { clock, queue, dlq } = withDeadLetter(3);
    for (let i = 0; i < 25; i++) queue.send(`m${i}`);
    const { batches, invoke } = recorder(async () => ({ batchItemFailures: [] }));
    const p = run(queue, clock, { invoke });
    await p.drained();
    expect(batches.map((batch) => batch.length)).toEqual([10, 10, 5]);
    expect(clock.now()).toBe(1_700_000_000_000);
    expect(dlq.approximateNumberOfMessages()).toBe(0);
    expect(p.invocations).toBe(3);
  });

  test('partial batch failure retries only the failed record, after the visibility timeout', async () => {
    const { clock, queue, dlq } = withDeadLetter(5, 30);
    for (const body of ['a', 'b', 'c']) queue.send(body);
    const seen: { body: string; count: string; at: number }[] = [];
    let failB = true;
    const invoke = async (event: SQSEvent) => {
      const failures = [];
      for (const record of event.Records) {
        seen.push({ body: record.body, count: record.attributes.ApproximateReceiveCount, at: clock.now() });
        if (record.body === 'b' && failB) failures.push({ itemIdentifier: record.messageId });
      }
      failB = false;
      return { batchItemFailures: failures };
    };
    await run(queue, clock, { invoke }).drained(120_000);
    const start = 1_700_000_000_000;
    expect(seen).toEqual([
      { body: 'a', count: '1', at: start },
      { body: 'b', count: '1', at: start },
      { body: 'c', count: '1', at: start },
      { body: 'b', count: '2', at: start + 30_000 },
    ]);
    expect(dlq.approximateNumberOfMessages()).toBe(0);
  });

  test.each([
    ['an empty itemIdentifier', async () => ({ batchItemFailures: [{ itemIdentifier: '' }] })],
    ['an unknown itemIdentifier', async () => ({ batchItemFailures: [{ itemIdentifier: 'nope' }] })],
    ['a thrown error', async () => {
      throw new Error('boom');
    }],
  ])('with ReportBatchItemFailures, %s returns the whole batch once', async (_label, failing) => {
    const { clock, queue } = withDeadLetter(5, 30);
    for (const body of ['a', 'b']) queue.send(body);
    let calls = 0;
    const { batches, invoke } = recorder(async (event) => (calls++ === 0 ? failing() : event && {}));
    await run(queue, clock, { invoke }).drained(120_000);
    expect(batches).toEqual([['a', 'b'], ['a', 'b']]);
    expect(clock.now()).toBe(1_700_000_000_000 + 30_000);
  });

  test('without ReportBatchItemFailures, a thrown error returns the whole batch and a failure list is ignored', async () => {
    const { clock, queue } = withDeadLetter(5, 30);
    for (const body of ['a', 'b']) queue.send(body);
    let calls = 0;
    const { batches, invoke } = recorder(async (event) => {
      if (calls++ === 0) throw new Error('boom');
      return { batchItemFailures: [{ itemIdentifier: event.Records[0].messageId }] };
    });
    await run(queue, clock, { invoke, reportBatchItemFailures: false }).drained(120_000);
    expect(batches).toEqual([['a', 'b'], ['a', 'b']]);
  });

  test('a message that keeps failing lands in the DLQ after exactly maxReceiveCount attempts; nothing is lost', async () => {
    const maxReceiveCount = 4;
    const { clock, queue, dlq } = withDeadLetter(maxReceiveCount, 30);
    const bodies = ['ok1', 'poison', 'ok2', 'ok3'];
    for (const body of bodies) queue.send(body);
    const attempts: string[] = [];
    const processed: string[] = [];
    const invoke = async (event: SQSEvent) => {
      const batchItemFailures = [];
      for (const record of event.Records) {
        attempts.push(record.body);
        if (record.body === 'poison') batchItemFailures.push({ itemIdentifier: record.messageId });
        else processed.push(record.body);
      }
      return { batchItemFailures };
    };
    await run(queue, clock, { invoke, batchSize: 2 }).drained(600_000);
    expect(countBy(attempts).get('poison')).toBe(maxReceiveCount);
    expect(processed.sort()).toEqual(['ok1', 'ok2', 'ok3']);
    const dead = dlq.receive(10);
    expect(dead.map((m) => m.body)).toEqual(['poison']);
    expect(processed.length + dead.length).toBe(bodies.length);
  });

  test('maximumConcurrency bounds the invocations in flight', async () => {
    const { clock, queue } = withDeadLetter(3, 60);
    for (let i = 0; i < 40; i++) queue.send(`m${i}`);
    let running = 0;
    let peak = 0;
    const invoke = async () => {
      running++;
      peak = Math.max(peak, running);
      await sleep(clock, 100);
      running--;
      return {};
    };
    const p = run(queue, clock, { invoke, batchSize: 2, maximumConcurrency: 3 });
    await p.drained(60_000);
    expect(peak).toBe(3);
    expect(p.peakConcurrency).toBe(3);
    expect(p.invocations).toBe(20);
    // 20 batches, 3 at a time, 100 ms each.
    expect(clock.now() - 1_700_000_000_000).toBe(700);
  });

  test('a burst of 200 messages through a slow handler with concurrency 2: none lost, none duplicated', async () => {
    const { clock, queue, dlq } = withDeadLetter(3, 30);
    const sentIds = new Set<string>();
    for (let i = 0; i < 200; i++) sentIds.add(queue.send(`m${i}`).messageId);
    const perMessage: string[] = [];
    let running = 0;
    let peak = 0;
    const invoke = async (event: SQSEvent) => {
      running++;
      peak = Math.max(peak, running);
      for (const record of event.Records) {
        await sleep(clock, 250);
        perMessage.push(record.messageId);
      }
      running--;
      return { batchItemFailures: [] };
    };
    const p = run(queue, clock, { invoke, batchSize: 10, maximumConcurrency: 2 });
    await p.drained(600_000);
    const counts = countBy(perMessage);
    expect(counts.size).toBe(200);
    expect([...counts.keys()].every((id) => sentIds.has(id))).toBe(true);
    expect([...counts.values()].every((count) => count === 1)).toBe(true);
    expect(peak).toBe(2);
    expect(dlq.approximateNumberOfMessages()).toBe(0);
  });

  test('a batching window gathers a small batch until it closes, or invokes as soon as the batch is full', async () => {
    const { clock, queue } = withDeadLetter(3);
    const { batches, invoke } = recorder(async () => ({}));
    run(queue, clock, { invoke, batchSize: 3, maximumBatchingWindowMs: 1_000 });
    queue.send('a');
    await Promise.resolve();
    clock.advance(400);
    queue.send('b');
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([]);
    clock.advance(600);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a', 'b']]);
    for (const body of ['c', 'd', 'e']) queue.send(body);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toEqual([['a', 'b'], ['c', 'd', 'e']]);
  });

  test('a message whose processing outlasts the visibility timeout is delivered again, and a stale delete does not count', async () => {
    const { clock, queue, dlq } = withDeadLetter(5, 1);
    queue.send('slow');
    const starts: number[] = [];
    const invoke = async () => {
      starts.push(clock.now() - 1_700_000_000_000);
      await sleep(clock, 1_500);
      return {};
    };
    await run(queue, clock, { invoke }).drained(60_000);
    // Each success arrives after the message was received again, so its receipt handle is stale.
    expect(starts).toEqual([0, 1_000, 2_000, 3_000, 4_000]);
    expect(dlq.receive(10).map((m) => m.body)).toEqual(['slow']);
  });

  test('stop waits for the invocation in flight, applies its result and polls no more', async () => {
    const { clock, queue } = withDeadLetter(3);
    queue.send('a');
    const { batches, invoke } = recorder(async () => sleep(clock, 100));
    const p = run(queue, clock, { invoke });
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(1);
    const stopped = p.stop();
    clock.advance(100);
    await stopped;
    expect(queue.approximateNumberOfMessagesNotVisible()).toBe(0);
    queue.send('b');
    clock.advance(60_000);
    await new Promise((resolve) => setImmediate(resolve));
    expect(batches).toHaveLength(1);
    await expect(p.drained(10)).rejects.toThrow(/not drained/);
  });

  test('options are validated', () => {
    const queue = new LocalQueues(new ManualClock()).create(queueOptions('q'));
    const invoke = async () => ({});
    expect(() => new SqsEventSourcePoller({ queue, invoke, batchSize: 0, reportBatchItemFailures: true })).toThrow(/BatchSize/);
    expect(() => new SqsEventSourcePoller({ queue, invoke, batchSize: 11, reportBatchItemFailures: true })).toThrow(/BatchSize/);
    expect(() => new SqsEventSourcePoller({ queue, invoke, batchSize: 1, reportBatchItemFailures: true, maximumConcurrency: 1 })).toThrow(/MaximumConcurrency/);
    expect(() => new SqsEventSourcePoller({ queue, invoke, batchSize: 1, reportBatchItemFailures: true, maximumBatchingWindowMs: -1 })).toThrow(/BatchingWindow/);
  });

  test('real time: timers drive redelivery and the DLQ', async () => {
    const queues = new LocalQueues();
    const dlq = queues.create(queueOptions('rt-dlq'));
    const queue = queues.create(queueOptions('rt', { visibilityTimeoutSeconds: 1, deadLetter: { targetArn: dlq.arn, maxReceiveCount: 2 } }));
    queue.send('fine');
    queue.send('poison');
    const { batches, invoke } = recorder(async (event) => ({
      batchItemFailures: event.Records.filter((r) => r.body === 'poison').map((r) => ({ itemIdentifier: r.messageId })),
    }));
    await run(queue, systemClock, { invoke }).drained(15_000);
    expect(countBy(batches.flat())).toEqual(new Map([['fine', 1], ['poison', 2]]));
    expect(dlq.receive(10).map((m) => m.body)).toEqual(['poison']);
  });
});
